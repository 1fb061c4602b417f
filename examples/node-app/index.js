// A tiny web app: answers with a greeting from its config and says which dyno served it.
const http = require('node:http')

const port = Number(process.env.PORT || 3000)
const greeting = process.env.GREETING || 'Hello'

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.end('ok\n')
    return
  }

  console.log(`serving ${req.method} ${req.url} (request ${req.headers['x-request-id'] || '-'})`)
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.end(`${greeting} from ${process.env.DYNO || 'a laptop'}!\n`)
})

server.listen(port, () => console.log(`listening on ${port}`))
process.on('SIGTERM', () => {
  console.log('SIGTERM: finishing requests, then exiting')
  server.close(() => process.exit(0))
})
