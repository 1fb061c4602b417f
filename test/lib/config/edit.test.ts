// Unit tests of src/lib/config/edit.ts (the editable text, and the edit flow behind config:edit);
// the command itself is tested in test/commands/config/config.test.ts.
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'

import {ApiClient} from '../../../src/lib/api/client.js'
import {configChanges, editConfig, formatEditable, parseEditable} from '../../../src/lib/config/edit.js'
import {API, api, useIsolatedEnv} from '../../helpers/cli.js'
import {release, TRICKY} from '../../helpers/config-fixtures.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

describe('lib/config/edit.ts', () => {
  useIsolatedEnv()

  describe('config:edit', () => {
    it('round-trips every value through the editable text', () => {
      expect(parseEditable(formatEditable(TRICKY))).to.deep.equal(TRICKY)
      expect(configChanges({A: '1', B: '2', C: '3'}, {A: '1', B: 'two', D: '4'})).to.deep.equal({B: 'two', C: null, D: '4'})
    })

    it('on a terminal: edits, shows the changes, asks, then PATCHes only what changed', async () => {
      const {out, stdout} = testOutput({columns: 0, env: {NO_COLOR: '1'}, stdoutTTY: true})
      const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
      api().get('/apps/my-app/config-vars').reply(200, {KEEP: 'same', CHANGE: 'old', DROP: 'x'})
      api().patch('/apps/my-app/config-vars', {CHANGE: 'new value', DROP: null, NEW: 'it\'s'}).reply(200, {CHANGE: 'new value', KEEP: 'same', NEW: 'it\'s'})
      api().get('/apps/my-app/releases').reply(200, [release(9)])
      const result = await editConfig({
        api: client,
        app: 'my-app',
        async edit(_editor, file) {
          const text = readFileSync(file, 'utf8').replace('CHANGE=old', 'CHANGE="new value"').replace('DROP=x\n', '') + 'NEW=it\'s\n'
          writeFileSync(file, text)
        },
        out,
        prompter: scriptedPrompter([{answer: true, confirm: 'Apply these changes to my-app?', flag: 'config:set / config:unset'}]),
      })
      expect(stdout.text).to.contain('~ CHANGE="new value" (was "old")\n- DROP\n+ NEW="it\'s"\n')
      expect(result).to.deep.equal({CHANGE: 'new value', KEEP: 'same', NEW: 'it\'s'})
    })

    it('on a terminal, answering no changes nothing (no PATCH)', async () => {
      const {out, stdout} = testOutput({columns: 0, env: {NO_COLOR: '1'}, stdoutTTY: true})
      const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
      api().get('/apps/my-app/config-vars').reply(200, {A: '1'})
      const result = await editConfig({
        api: client,
        app: 'my-app',
        async edit(_editor, file) {
          writeFileSync(file, readFileSync(file, 'utf8').replace('A=1', 'A=2'))
        },
        out,
        prompter: scriptedPrompter([{answer: false, confirm: 'Apply these changes to my-app?'}]),
      })
      expect(stdout.text).to.equal('~ A="2" (was "1")\nNothing was changed.\n')
      expect(result).to.deep.equal({A: '1'})
    })
  })
})
