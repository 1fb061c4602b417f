// A small static file server for the heroku/static buildpack: serves the app directory (or
// static.json's "root") on $PORT. Never serves dotfiles (.profile.d, .heroku-static, .git …).
// static.json: {"root": "public", "clean_urls": true, "headers": {"/*": {"Cache-Control": "…"}}}
import {createReadStream, existsSync, readFileSync, statSync} from 'node:fs'
import {createServer} from 'node:http'
import {extname, join, normalize, resolve, sep} from 'node:path'

const appDir = process.cwd()
const config = existsSync(join(appDir, 'static.json')) ? JSON.parse(readFileSync(join(appDir, 'static.json'), 'utf8')) : {}
const root = resolve(appDir, config.root ?? '.')
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.ico': 'image/x-icon', '.webp': 'image/webp', '.woff2': 'font/woff2',
  '.wasm': 'application/wasm', '.xml': 'application/xml', '.pdf': 'application/pdf',
}

function find(urlPath) {
  let decoded
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.split('/').some(part => part.startsWith('.'))) return undefined
  const base = resolve(root, `.${normalize(`/${decoded}`)}`)
  if (base !== root && !base.startsWith(root + sep)) return undefined
  const candidates = [base, join(base, 'index.html')]
  if (config.clean_urls) candidates.push(`${base}.html`)
  return candidates.find(c => existsSync(c) && statSync(c).isFile())
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, {Allow: 'GET, HEAD'}).end()
    return
  }
  const path = find((req.url ?? '/').split('?')[0])
  if (path === undefined) {
    const notFound = join(root, '404.html')
    res.writeHead(404, {'Content-Type': 'text/html; charset=utf-8'})
    if (existsSync(notFound) && req.method === 'GET') createReadStream(notFound).pipe(res)
    else res.end(req.method === 'GET' ? 'Not Found\n' : undefined)
    return
  }
  const headers = {'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': statSync(path).size}
  for (const [pattern, extra] of Object.entries(config.headers ?? {})) {
    const regex = new RegExp(`^${pattern.split('*').map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
    if (regex.test(req.url ?? '/')) Object.assign(headers, extra)
  }
  res.writeHead(200, headers)
  if (req.method === 'HEAD') res.end()
  else createReadStream(path).pipe(res)
}).listen(Number(process.env.PORT ?? 5000), () => {
  console.log(`static site listening on port ${server.address().port}`)
})
