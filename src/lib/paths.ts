import {homedir} from 'node:os'
import {join} from 'node:path'

/** The name oclif keeps its directories under: never collides with the official Heroku CLI. */
export const DIR_NAME = 'heroku-toolbelt'

type Env = NodeJS.ProcessEnv

/** ~/.config/heroku-toolbelt (XDG), where settings and the credential fallback file live. */
export function configDir(env: Env = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), DIR_NAME)
}

/** ~/.local/share/heroku-toolbelt (XDG), where the local platform keeps its data by default. */
export function dataDir(env: Env = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), DIR_NAME)
}
