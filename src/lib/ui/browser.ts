import type {Output} from './output.js'

/**
 * Opens a URL in the user's browser (honouring BROWSER). Where none can open — no display, CI,
 * no TTY — it prints the URL instead, so the user can still follow it.
 */
export async function openUrl(out: Output, url: string, env: NodeJS.ProcessEnv = process.env): Promise<'opened' | 'printed'> {
  const headless = process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY && !env.BROWSER
  if (!out.interactive || headless) {
    out.log(url)
    return 'printed'
  }

  try {
    const {default: open} = await import('open')
    const options = env.BROWSER ? {app: {name: env.BROWSER}, wait: false} : {wait: false}
    const child = await open(url, options)
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject)
      child.once('spawn', () => resolve())
    })
    out.info(`Opening ${url}...`)
    return 'opened'
  } catch {
    out.log(url)
    return 'printed'
  }
}
