import {Command, Help, Interfaces} from '@oclif/core'

/**
 * `heroku help` as users of the official CLI know it: each command once, under its real id
 * (aliases such as `create` or `login` are shown in that command's own help, not as commands of
 * their own), a topic never listed again as a command, and the plugins' texts written the way
 * ours are (lower case, no full stop).
 */
export default class RootHelp extends Help {
  protected override get sortedCommands(): Command.Loadable[] {
    const aliases = new Set(this.config.commands.flatMap(c => c.aliases ?? []))
    const topics = new Set(super.sortedTopics.map(t => t.name))
    return super.sortedCommands
      .filter(c => !aliases.has(c.id) && !topics.has(c.id))
      .map(c => (c.pluginName === this.config.name ? c : {...c, description: ourCase(c.description), summary: ourCase(c.summary)}))
  }

  protected override get sortedTopics(): Interfaces.Topic[] {
    // only the plugins' topics: ours are already written that way, and some begin with a name
    // ("Heroku Postgres databases: …") that must keep its capital
    const ours = new Set(Object.keys(this.config.pjson.oclif.topics ?? {}))
    return super.sortedTopics.map(t => (ours.has(t.name) ? t : {...t, description: ourCase(t.description)}))
  }
}

/** "List installed plugins." → "list installed plugins" (only a one-sentence text). */
export function ourCase(text: string | undefined): string | undefined {
  if (!text || text.includes('\n') || /\.\s/.test(text)) return text
  return text.charAt(0).toLowerCase() + text.slice(1).replace(/\.$/, '')
}
