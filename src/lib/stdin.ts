/** The first non-empty line of a stream (a piped secret), without its line ending; capped at 64 KiB. */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  let text = ''
  for await (const chunk of stream) {
    text += String(chunk)
    if (text.length > 64 * 1024) break
  }

  return text.split(/\r?\n/).find(line => line.trim() !== '')
}
