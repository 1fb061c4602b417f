// Git over smart HTTP on the API port, at app.git_url = <api>/<app-name>.git:
//   GET  /<app>.git/info/refs?service=git-upload-pack|git-receive-pack
//   POST /<app>.git/git-upload-pack        (fetch, clone)
//   POST /<app>.git/git-receive-pack       (push → build → release, see hook.ts)
// plus two URLs of the deploy path that carry their own secret:
//   POST /git-hooks/<push-secret>          the pre-receive hook calling back (hook.ts)
//   GET  /build-outputs/<id>/<sig>         a running build's output, live (finished builds fall
//                                          through to the stored output in api/capability-urls.ts)
//
// Authentication is HTTP Basic with any user name and the API token as the password (what
// `heroku git:credentials` gives git). No or bad credentials: 401 with WWW-Authenticate, so git
// asks its credential helper. An app the caller cannot access, or that does not exist: 403 with the
// same message either way (existence is not revealed), before anything is written.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {PlatformContext} from '../api/context.js'
import type {Deployer} from '../build/deployer.js'
import type {LogSink} from '../logs/log-sink.js'
import type {Store} from '../store/database.js'

import {authenticateToken, type Caller} from '../auth/authenticate.js'
import {BuildOutput} from '../build/output.js'
import {readJsonBody} from '../http/body.js'
import {findAccountById} from '../store/accounts.js'
import {findUsableApp} from '../store/apps.js'
import {findBuildById} from '../store/builds.js'
import {HOOK_EXIT_TRAILER, parseHookRequest, PushSessions} from './hook.js'
import {runHttpBackend} from './http-backend.js'
import {ensureRepo, reposRoot} from './repos.js'

type GitService = 'git-receive-pack' | 'git-upload-pack'

export class GitHttp {
  private readonly sessions = new PushSessions()

  constructor(private readonly platform: PlatformContext, private readonly deployer: Deployer, private readonly logSink: LogSink) {}

  /** Handles the request if it belongs to git or the deploy path; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, segments: readonly string[]): Promise<boolean> {
    const method = req.method ?? 'GET'
    if (segments.length >= 2 && segments[0].endsWith('.git')) {
      const appName = segments[0].slice(0, -'.git'.length)
      const rest = segments.slice(1).join('/')
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams
      if (method === 'GET' && rest === 'info/refs') {
        const service = query.get('service')
        if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
          sendText(res, 403, 'Only the smart HTTP protocol is served: use git 1.6.6 or newer.\n')
          return true
        }

        await this.serveGit(req, res, appName, service, 'info/refs')
        return true
      }

      if (method === 'POST' && (rest === 'git-upload-pack' || rest === 'git-receive-pack')) {
        await this.serveGit(req, res, appName, rest, rest)
        return true
      }

      sendText(res, 404, 'Not found: this is a git repository URL; use it with git.\n')
      return true
    }

    if (segments[0] === 'git-hooks' && segments.length === 2 && method === 'POST') {
      await this.serveHook(req, res, segments[1])
      return true
    }

    if (segments[0] === 'build-outputs' && segments.length === 3 && method === 'GET') {
      return this.serveLiveOutput(res, segments[1], segments[2])
    }

    return false
  }

  private async serveGit(req: IncomingMessage, res: ServerResponse, appName: string, service: GitService, path: string): Promise<void> {
    const caller = gitCaller(this.platform.store, req.headers.authorization)
    if (caller === undefined) {
      req.resume()
      res.setHeader('WWW-Authenticate', 'Basic realm="heroku"')
      sendText(res, 401, 'Authentication required: use your API token as the password (heroku git:credentials is the git credential helper that supplies it).\n')
      return
    }

    const app = findUsableApp(this.platform.store, caller.account.id, appName)
    if (app === undefined) {
      req.resume()
      sendText(res, 403, `You do not have access to the app ${appName}, or it does not exist.\n`)
      return
    }

    const repo = await ensureRepo(this.platform.dataDir, app.id)
    const cgi = {projectRoot: reposRoot(this.platform.dataDir), pathInfo: `/${app.id}.git/${path}`, remoteUser: caller.account.email, log: this.platform.log}
    if (service === 'git-receive-pack' && path === service) {
      const session = this.sessions.open({appId: app.id, accountId: caller.account.id, repoDir: repo})
      try {
        await runHttpBackend({
          ...cgi, extraEnv: {
            HEROKU_PLATFORM_HOOK_URL: `${this.platform.urls.api}/git-hooks/${session.secret}`,
            HEROKU_PLATFORM_NODE: process.execPath,
            // with TLS the hook calls back over https, trusting the local CA (tls/)
            ...(this.platform.caPath ? {HEROKU_PLATFORM_HOOK_CA: this.platform.caPath} : {}),
          },
        }, req, res)
      } finally {
        session.close()
      }

      return
    }

    await runHttpBackend(cgi, req, res)
  }

  private async serveHook(req: IncomingMessage, res: ServerResponse, secret: string): Promise<void> {
    const session = this.sessions.get(secret)
    if (session === undefined) {
      req.resume()
      sendText(res, 404, 'This URL is unknown or has expired.\n')
      return
    }

    const request = parseHookRequest(await readJsonBody(req))
    const account = findAccountById(this.platform.store, session.accountId)
    if (request === undefined || account === undefined) {
      sendText(res, 400, 'Malformed hook request.\n')
      return
    }

    res.writeHead(200, {'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Trailer: HOOK_EXIT_TRAILER})
    const output = new BuildOutput(session.appId, this.logSink)
    const stop = output.follow(chunk => res.write(chunk), () => {})
    let code = 1
    try {
      code = await this.deployer.deployPush(session, request, output, account)
    } catch (error) {
      this.platform.log(`deploy of app ${session.appId} failed: ${(error as Error).stack ?? String(error)}`)
      res.write(' !     The platform failed to deploy this push (see the platform log); nothing was released.\n')
    } finally {
      stop()
      res.addTrailers({[HOOK_EXIT_TRAILER]: String(code)})
      res.end()
    }
  }

  private serveLiveOutput(res: ServerResponse, buildId: string, signature: string): boolean {
    if (!this.platform.signer.verify('build-output', buildId, signature)) return false
    const output = this.deployer.liveOutput(buildId)
    if (output === undefined || findBuildById(this.platform.store, buildId) === undefined) return false
    res.writeHead(200, {'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store'})
    const stop = output.follow(chunk => res.write(chunk), () => res.end())
    res.on('close', stop)
    return true
  }
}

/** HTTP Basic with the API token as the password (any user name), or a Bearer token. */
function gitCaller(store: Store, header: string | undefined): Caller | undefined {
  if (header === undefined) return undefined
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (bearer) return authenticateToken(store, bearer[1])
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (basic === null) return undefined
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon === -1 ? undefined : authenticateToken(store, decoded.slice(colon + 1))
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text)}).end(text)
}
