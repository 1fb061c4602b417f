import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'
import {release, TRICKY} from '../../helpers/config-fixtures.js'
import {testOutput} from '../../helpers/test-output.js'

describe('config', () => {
  useIsolatedEnv()

  describe('config (show)', () => {
    it('lists the vars, sorted and aligned, multi-line values indented', async () => {
      api().get('/apps/my-app/config-vars').reply(200, {LONG_NAME: 'x', A: 'one\ntwo', EMPTY: ''})
      const {stdout, exitCode} = await run(['config', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('=== my-app Config Vars\nA:         one\n           two\nEMPTY:     \nLONG_NAME: x\n')
    })

    it('prints vars in colour as before keyValues took them over: green keys, empty values kept, continuation lines indented', () => {
      const {out, stdout} = testOutput({stdoutTTY: true})
      out.keyValues([['A', 'one\ntwo'], ['EMPTY', ''], ['LONG_NAME', 'x'], ['UNSET', null]], {multiline: true})
      expect(stdout.text).to.equal('\u001B[32mA:        \u001B[39m one\n           two\n\u001B[32mEMPTY:    \u001B[39m \n\u001B[32mLONG_NAME:\u001B[39m x\n\u001B[32mUNSET:    \u001B[39m \n')
    })

    it('prints the vars object with --json', async () => {
      api().get('/apps/my-app/config-vars').reply(200, TRICKY)
      const {stdout} = await run(['config', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(TRICKY)
    })

    it('--shell prints lines that sh evals back to the exact values', async () => {
      api().get('/apps/my-app/config-vars').reply(200, TRICKY)
      const {stdout, exitCode} = await run(['config', '-a', 'my-app', '--shell'])
      expect(exitCode).to.equal(0)
      const dir = mkdtempSync(join(tmpdir(), 'heroku-shell-'))
      try {
        const file = join(dir, 'vars.sh')
        writeFileSync(file, stdout)
        for (const [key, value] of Object.entries(TRICKY)) {
          const got = execFileSync('sh', ['-c', `eval "$(cat "$1")"; printf %s "$${key}"`, 'sh', file], {encoding: 'utf8', env: {PATH: process.env.PATH}})
          // $(...) keeps no trailing newlines, so MULTI is compared as the shell sees it after eval
          expect(got, key).to.equal(value)
        }
      } finally {
        rmSync(dir, {force: true, recursive: true})
      }
    })

    it('fails on an unknown app: 404, exit 1', async () => {
      api().get('/apps/nope/config-vars').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['config', '-a', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that app.')
    })
  })

  describe('config:get', () => {
    it('prints the value, or KEY=\'value\' with --shell, or {KEY: value} with --json', async () => {
      api().get('/apps/my-app/config-vars').thrice().reply(200, {QUOTES: TRICKY.QUOTES})
      expect((await run(['config:get', 'QUOTES', '-a', 'my-app'])).stdout).to.equal(`${TRICKY.QUOTES}\n`)
      expect((await run(['config:get', 'QUOTES', '-a', 'my-app', '--shell'])).stdout).to.equal('QUOTES=\'it\'\\\'\'s "quoted" \'\\\'\'\'\\\'\' \\ back\\slash\'\n')
      expect(JSON.parse((await run(['config:get', 'QUOTES', '-a', 'my-app', '--json'])).stdout)).to.deep.equal({QUOTES: TRICKY.QUOTES})
    })

    it('prints an empty line for an unset var (null with --json)', async () => {
      api().get('/apps/my-app/config-vars').twice().reply(200, {})
      expect((await run(['config:get', 'MISSING', '-a', 'my-app'])).stdout).to.equal('\n')
      expect(JSON.parse((await run(['config:get', 'MISSING', '-a', 'my-app', '--json'])).stdout)).to.deep.equal({MISSING: null})
    })

    it('rejects a bad key before any request: exit 2', async () => {
      const {stderr, exitCode} = await run(['config:get', 'A-B', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('"A-B" is not a valid config var name')
    })
  })

  describe('config:set', () => {
    it('sets vars (values may contain =), prints them and the new release version', async () => {
      api().patch('/apps/my-app/config-vars', {GREETING: 'hello world', TOKEN: 'a=b=c'}).reply(200, {GREETING: 'hello world', OLD: 'x', TOKEN: 'a=b=c'})
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [release(12)])
      const {stdout, stderr, exitCode} = await run(['config:set', 'GREETING=hello world', 'TOKEN=a=b=c', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Setting GREETING and TOKEN and restarting my-app... done, v12')
      expect(stdout).to.equal('GREETING: hello world\nTOKEN:    a=b=c\n')
    })

    it('prints the config-vars object the PATCH returned with --json (the release is in the human output only)', async () => {
      api().patch('/apps/my-app/config-vars', {A: '1'}).reply(200, {A: '1'})
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [release(3)])
      const {stdout} = await run(['config:set', 'A=1', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal({A: '1'})
    })

    for (const bad of ['1ABC=x', 'A-B=x', '=x', 'NOEQUALS']) {
      it(`rejects ${JSON.stringify(bad)} before any request: exit 2`, async () => {
        const {exitCode, stderr} = await run(['config:set', 'GOOD=1', bad, '-a', 'my-app'])
        expect(exitCode).to.equal(2)
        expect(stderr).to.match(/not a valid config var name|cannot be empty|is not KEY=VALUE/)
      })
    }

    it('reports a 422 from the platform with exit 1', async () => {
      api().patch('/apps/my-app/config-vars', {PORT: '1'}).reply(422, {id: 'invalid_params', message: 'PORT is a reserved config var.'})
      const {stderr, exitCode} = await run(['config:set', 'PORT=1', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('PORT is a reserved config var.')
    })
  })

  describe('config:unset', () => {
    it('sends null for each key and reports the release', async () => {
      api().patch('/apps/my-app/config-vars', {A: null, B: null}).reply(200, {C: '3'})
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [release(7)])
      const {stdout, stderr, exitCode} = await run(['config:unset', 'A', 'B', '-a', 'my-app', '--json'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Unsetting A and B and restarting my-app... done, v7')
      expect(JSON.parse(stdout)).to.deep.equal({C: '3'})
    })

    it('rejects a bad key, and no key at all: exit 2', async () => {
      expect((await run(['config:unset', 'A', '1ABC', '-a', 'my-app'])).exitCode).to.equal(2)
      const none = await run(['config:unset', '-a', 'my-app'])
      expect(none.exitCode).to.equal(2)
      expect(none.stderr).to.contain('Missing 1 required arg')
      const empty = await run(['config:unset', '', '-a', 'my-app'])
      expect(empty.exitCode).to.equal(2)
      expect(empty.stderr).to.contain('cannot be empty')
    })

    it('fails on an unknown app', async () => {
      api().patch('/apps/nope/config-vars', {A: null}).reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      expect((await run(['config:unset', 'A', '-a', 'nope'])).exitCode).to.equal(1)
    })
  })

  describe('config:edit', () => {
    it('refuses without a TTY, pointing at config:set (exit 2, no request)', async () => {
      const {stderr, exitCode} = await run(['config:edit', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('needs an interactive terminal')
      expect(stderr).to.contain('config:set')
    })
  })
})
