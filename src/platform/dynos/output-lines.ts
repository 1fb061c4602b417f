// A child's output as lines (dyno output, add-on server output): a long line in pieces, the
// unterminated rest at the end.
const MAX_LINE = 10_000

export function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    let text = partial + chunk
    let nl: number
    while ((nl = text.indexOf('\n')) !== -1) {
      onLine(text.slice(0, nl).replace(/\r$/, ''))
      text = text.slice(nl + 1)
    }

    while (text.length > MAX_LINE) {
      onLine(text.slice(0, MAX_LINE))
      text = text.slice(MAX_LINE)
    }

    partial = text
  })
  stream.on('end', () => {
    if (partial !== '') onLine(partial)
    partial = ''
  })
}
