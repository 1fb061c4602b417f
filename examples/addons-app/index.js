// An app that uses its add-ons through the config vars they set: each request writes a row to
// Postgres (DATABASE_URL), increments a counter in Redis (REDIS_URL) and sends a mail through
// the mail add-on (SMTP_URL), then answers with what it did. A missing add-on is said, not hidden.
const http = require('node:http')

const port = Number(process.env.PORT || 3000)
const greeting = process.env.GREETING || 'Hello'
const dyno = process.env.DYNO || 'a laptop'

let pool
let redis
let mailer

async function recordVisit() {
  if (!process.env.DATABASE_URL) return 'postgres: no DATABASE_URL (heroku addons:create heroku-postgresql)'
  if (!pool) {
    const {Pool} = require('pg')
    pool = new Pool({connectionString: process.env.DATABASE_URL, max: 2})
    await pool.query('CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, dyno text NOT NULL, at timestamptz NOT NULL DEFAULT now())')
  }

  const {rows} = await pool.query('INSERT INTO visits (dyno) VALUES ($1) RETURNING id', [dyno])
  return `postgres: recorded visit #${rows[0].id} in the visits table`
}

async function countVisit() {
  if (!process.env.REDIS_URL) return 'redis: no REDIS_URL (heroku addons:create heroku-redis)'
  if (!redis) {
    const {createClient} = require('redis')
    redis = createClient({url: process.env.REDIS_URL})
    redis.on('error', error => console.error(`redis: ${error.message}`))
    await redis.connect()
  }

  return `redis: counter is now ${await redis.incr('visits')}`
}

async function sendMail() {
  if (!process.env.SMTP_URL) return 'mail: no SMTP_URL (heroku addons:create sendgrid)'
  if (!mailer) mailer = require('nodemailer').createTransport(process.env.SMTP_URL)
  const info = await mailer.sendMail({
    from: 'app@example.com', to: 'you@example.com', subject: `A visit to ${dyno}`, text: `${greeting}! Someone visited ${dyno}.`,
  })
  return `mail: sent ${info.messageId} (kept by the platform, never relayed)`
}

const attempt = work => work().catch(error => `${work.name}: failed: ${error.message}`)

const server = http.createServer(async (req, res) => {
  if (req.url === '/health') {
    res.end('ok\n')
    return
  }

  console.log(`serving ${req.method} ${req.url}`)
  const done = await Promise.all([attempt(recordVisit), attempt(countVisit), attempt(sendMail)])
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.setHeader('cache-control', 'no-store')
  res.end(`${greeting} from ${dyno}!\n${done.map(line => `  ${line}\n`).join('')}`)
})

server.listen(port, () => console.log(`listening on ${port}`))
process.on('SIGTERM', () => {
  console.log('SIGTERM: finishing requests, then exiting')
  server.close(async () => {
    await Promise.allSettled([pool?.end(), redis?.quit()])
    process.exit(0)
  })
})
