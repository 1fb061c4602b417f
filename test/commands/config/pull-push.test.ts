import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ApiClient} from '../../../src/lib/api/client.js'
import {pushConfig} from '../../../src/lib/config/push.js'
import {parseEnv} from '../../../src/lib/local/env-file.js'
import {API, api, run, sourceConfig, useIsolatedEnv} from '../../helpers/cli.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

const TRICKY: Record<string, string> = {
  BACKTICK_AND_QUOTE: "it's `code`",
  // eslint-disable-next-line no-template-curly-in-string -- a shell expansion the .env file must carry literally
  DOLLAR: 'cost $HOME ${PATH}',
  EMPTY: '',
  HASH: 'a # not a comment',
  MULTI: 'line one\nline two',
  QUOTES: 'say "hi"',
}

const release = (version: number) => ({
  addon_plan_names: [], app: {id: 'a1', name: 'my-app'}, created_at: '2026-01-01T00:00:00Z', current: true,
  description: 'Set config vars', id: `rel-${version}`, output_stream_url: null, slug: null, status: 'succeeded',
  updated_at: '2026-01-01T00:00:00Z', user: {email: 'jane@example.com', id: 'u1'}, version,
})

describe('config:pull and config:push', () => {
  useIsolatedEnv()
  let dir: string
  const cwd = process.cwd()
  // the CLI's config is found from the working directory: load it before moving into the app's
  before(async () => {
    await sourceConfig()
  })

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'heroku-dotenv-'))
    process.chdir(dir)
  })

  afterEach(() => {
    process.chdir(cwd)
    rmSync(dir, {force: true, recursive: true})
  })

  describe('config:pull', () => {
    it('writes every var into a new .env, mode 0600, that dotenv reads back exactly', async () => {
      api().get('/apps/my-app/config-vars').reply(200, TRICKY)
      const {exitCode, stderr} = await run(['config:pull', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.include('Wrote BACKTICK_AND_QUOTE, DOLLAR, EMPTY, HASH, MULTI, QUOTES from my-app to .env.')
      expect(statSync(join(dir, '.env')).mode & 0o777).to.equal(0o600)
      expect(parseEnv(readFileSync(join(dir, '.env'), 'utf8'), '.env')).to.deep.equal(TRICKY)
    })

    it('never overwrites a key of the file without --overwrite; keeps comments; --json lists what it did', async () => {
      writeFileSync(join(dir, '.env'), '# mine\nA=local\nB="multi\nline"\n', {mode: 0o644})
      api().get('/apps/my-app/config-vars').reply(200, {A: 'remote', B: 'remote b', C: 'new'})
      const first = await run(['config:pull', '-a', 'my-app', '--json'])
      expect(JSON.parse(first.stdout)).to.deep.equal({added: ['C'], file: '.env', kept: ['A', 'B'], overwritten: []})
      expect(first.stderr).to.include('.env keeps its own value of A, B (the app\'s differs). Pass --overwrite to replace them.')
      expect(readFileSync(join(dir, '.env'), 'utf8')).to.equal('# mine\nA=local\nB="multi\nline"\nC=\'new\'\n')
      expect(statSync(join(dir, '.env')).mode & 0o777).to.equal(0o600)

      api().get('/apps/my-app/config-vars').reply(200, {A: 'remote', B: 'remote b', C: 'new'})
      const second = await run(['config:pull', '-a', 'my-app', '--overwrite'])
      expect(second.exitCode).to.equal(0)
      expect(readFileSync(join(dir, '.env'), 'utf8')).to.equal('# mine\nA=\'remote\'\nB=\'remote b\'\nC=\'new\'\n')
    })

    it('refuses a .env with a bad line, naming it, and leaves the file alone', async () => {
      writeFileSync(join(dir, '.env'), 'A=1\noops\n')
      api().get('/apps/my-app/config-vars').reply(200, {B: '2'})
      const {exitCode, stderr} = await run(['config:pull', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('.env line 2 is not KEY=VALUE: "oops"')
      expect(readFileSync(join(dir, '.env'), 'utf8')).to.equal('A=1\noops\n')
    })
  })

  describe('config:push', () => {
    it('off a terminal it needs --confirm APP, and sets nothing without it', async () => {
      writeFileSync(join(dir, '.env'), 'A=1\n')
      api().get('/apps/my-app/config-vars').reply(200, {})
      const {exitCode, stderr} = await run(['config:push', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.include('Pass --confirm my-app.')
    })

    it('sets the vars the app lacks; keeps the ones it has unless --overwrite', async () => {
      writeFileSync(join(dir, '.env'), 'export NEW="one two"\nSAME=x\nDIFF=local\n')
      api().get('/apps/my-app/config-vars').reply(200, {DIFF: 'remote', SAME: 'x'})
      api().patch('/apps/my-app/config-vars', {NEW: 'one two'}).reply(200, {DIFF: 'remote', NEW: 'one two', SAME: 'x'})
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [release(4)])
      const first = await run(['config:push', '-a', 'my-app', '--confirm', 'my-app', '--json'])
      expect(first.exitCode).to.equal(0)
      const result = JSON.parse(first.stdout)
      expect(result.config_vars).to.deep.equal({DIFF: 'remote', NEW: 'one two', SAME: 'x'})
      expect(result).to.not.have.property('release')
      expect([result.pushed, result.kept]).to.deep.equal([['NEW'], ['DIFF']])

      api().get('/apps/my-app/config-vars').reply(200, {DIFF: 'remote', NEW: 'one two', SAME: 'x'})
      api().patch('/apps/my-app/config-vars', {DIFF: 'local'}).reply(200, {DIFF: 'local', NEW: 'one two', SAME: 'x'})
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [release(5)])
      const second = await run(['config:push', '-a', 'my-app', '--confirm', 'my-app', '--overwrite'])
      expect(second.exitCode).to.equal(0)
      expect(second.stderr).to.include('done, v5')
    })

    it('a --confirm that names another app: exit 2, nothing set', async () => {
      writeFileSync(join(dir, '.env'), 'A=1\n')
      api().get('/apps/my-app/config-vars').reply(200, {})
      const {exitCode, stderr} = await run(['config:push', '-a', 'my-app', '--confirm', 'other-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.include('Confirmation "other-app" did not match my-app: nothing was pushed.')
    })

    it('on a terminal it asks first', async () => {
      writeFileSync(join(dir, '.env'), 'A=1\n')
      api().get('/apps/my-app/config-vars').reply(200, {})
      api().patch('/apps/my-app/config-vars', {A: '1'}).reply(200, {A: '1'})
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [release(2)])
      const {out} = testOutput({columns: 0, stdoutTTY: true}) // the plain progress line, not ora's redraws
      const prompter = scriptedPrompter([{answer: true, confirm: 'Set A on my-app? This makes a new release and restarts the app.', flag: '--confirm my-app'}])
      const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
      const pushed = await pushConfig({api: client, app: 'my-app', cwd: dir, file: '.env', out, overwrite: false, prompter})
      expect(pushed.pushed).to.deep.equal(['A'])
    })
  })
})
