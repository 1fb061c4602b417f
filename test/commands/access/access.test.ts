import {expect} from 'chai'

import {ApiClient} from '../../../src/lib/api/client.js'
import {transferApps} from '../../../src/lib/apps/transfer.js'
import {API, api, run, useIsolatedEnv} from '../../helpers/cli.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

const APP = {id: 'a1', name: 'my-app'}

function collaborator(email: string, role: string, extra: Record<string, unknown> = {}) {
  return {
    app: APP,
    created_at: '2026-01-01T00:00:00Z',
    id: `id-${email}`,
    permissions: [],
    role,
    updated_at: '2026-01-01T00:00:00Z',
    user: {email, federated: false, id: `u-${email}`},
    ...extra,
  }
}

function transfer(state: string) {
  return {
    app: APP, created_at: '2026-01-01T00:00:00Z', id: 't1', owner: {email: 'me@example.com', id: 'u1'},
    recipient: {email: 'jane@example.com', id: 'u2'}, state, updated_at: '2026-01-01T00:00:00Z',
  }
}

describe('access', () => {
  useIsolatedEnv()

  it('lists who has access, by email, with roles', async () => {
    api().get('/apps/my-app/collaborators').reply(200, [collaborator('zed@example.com', 'collaborator'), collaborator('me@example.com', 'owner')])
    const {stdout, exitCode} = await run(['access', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      'Email            Role',
      'me@example.com   owner',
      'zed@example.com  collaborator',
      '',
    ].join('\n'))
  })

  it('shows permissions where a (team) platform has them; --json prints the API objects only', async () => {
    const withPerms = [collaborator('a@example.com', 'member', {permissions: [{name: 'view'}, {name: 'deploy'}]})]
    api().get('/apps/my-app/collaborators').reply(200, withPerms)
    expect((await run(['access', '-a', 'my-app'])).stdout).to.equal('Email          Role    Permissions\na@example.com  member  deploy, view\n')
    const list = [collaborator('me@example.com', 'owner')]
    api().get('/apps/my-app/collaborators').reply(200, list)
    const {stdout} = await run(['access', '-a', 'my-app', '--json'])
    expect(JSON.parse(stdout)).to.deep.equal(list)
  })

  it('access:add posts the email; progress on stderr; --json prints the collaborator', async () => {
    api().post('/apps/my-app/collaborators', {user: 'jane@example.com'}).reply(201, collaborator('jane@example.com', 'collaborator'))
    const added = await run(['access:add', 'jane@example.com', '-a', 'my-app'])
    expect(added.exitCode).to.equal(0)
    expect(added.stdout).to.equal('')
    expect(added.stderr).to.equal('Adding jane@example.com access to the app my-app... done\n')
    api().post('/apps/my-app/collaborators', {user: 'jane@example.com'}).reply(201, collaborator('jane@example.com', 'collaborator'))
    const json = await run(['access:add', 'jane@example.com', '-a', 'my-app', '--json'])
    expect(JSON.parse(json.stdout)).to.deep.equal(collaborator('jane@example.com', 'collaborator'))
  })

  it('access:add: an email with no account is the server\'s 422, shown; a collaborator gets the 403', async () => {
    api().post('/apps/my-app/collaborators', {user: 'nobody@example.com'})
      .reply(422, {id: 'invalid_params', message: '"user": there is no account nobody@example.com on this platform.'})
    const missing = await run(['access:add', 'nobody@example.com', '-a', 'my-app'])
    expect(missing.exitCode).to.equal(1)
    expect(missing.stderr).to.contain('Adding nobody@example.com access to the app my-app... failed').and.contain('there is no account nobody@example.com')
    api().post('/apps/my-app/collaborators', {user: 'x@example.com'})
      .reply(403, {id: 'forbidden', message: 'Only the owner of my-app (me@example.com) can add collaborators to it; you are a collaborator on it.'})
    const refused = await run(['access:add', 'x@example.com', '-a', 'my-app'])
    expect(refused.exitCode).to.equal(1)
    expect(refused.stderr).to.contain('Only the owner of my-app (me@example.com) can add collaborators to it')
  })

  it('access:add --permissions warns that it is for team apps and adds anyway', async () => {
    api().post('/apps/my-app/collaborators', {user: 'jane@example.com'}).reply(201, collaborator('jane@example.com', 'collaborator'))
    const {stderr, exitCode} = await run(['access:add', 'jane@example.com', '-a', 'my-app', '-p', 'deploy,operate'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain('--permissions applies to team apps only')
  })

  it('access:remove deletes by email (encoded)', async () => {
    api().delete(`/apps/my-app/collaborators/${encodeURIComponent('jane+x@example.com')}`).reply(200, collaborator('jane+x@example.com', 'collaborator'))
    const {stderr, exitCode} = await run(['access:remove', 'jane+x@example.com', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.equal('Removing jane+x@example.com access from the app my-app... done\n')
  })

  it('access:add without an email is a usage error (exit 2)', async () => {
    const {exitCode} = await run(['access:add', '-a', 'my-app'])
    expect(exitCode).to.equal(2)
  })
})

describe('apps:transfer', () => {
  useIsolatedEnv()

  it('to a person: POST /account/app-transfers; pending is "email sent"', async () => {
    api().get('/apps/my-app').reply(200, {...APP, owner: {email: 'me@example.com', id: 'u1'}})
    api().post('/account/app-transfers', {app: 'my-app', recipient: 'jane@example.com'}).reply(201, transfer('pending'))
    const {stderr, stdout, exitCode} = await run(['apps:transfer', 'jane@example.com', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal('')
    expect(stderr).to.equal('Initiating transfer of my-app to jane@example.com... email sent\n')
  })

  it('--json prints what the API answered', async () => {
    api().get('/apps/my-app').reply(200, {...APP, owner: {email: 'me@example.com', id: 'u1'}})
    api().post('/account/app-transfers', {app: 'my-app', recipient: 'jane@example.com'}).reply(201, transfer('pending'))
    const {stdout} = await run(['apps:transfer', 'jane@example.com', '-a', 'my-app', '--json'])
    expect(JSON.parse(stdout)).to.deep.equal([transfer('pending')])
  })

  it('to a team: PATCH /teams/apps/{app} {owner}; --locked then locks it', async () => {
    api().get('/apps/my-app').reply(200, {...APP, owner: {email: 'me@example.com', id: 'u1'}})
    api().patch('/teams/apps/my-app', {owner: 'acme'}).reply(200, {...APP, owner: {email: 'acme@herokumanager.com', id: 't'}})
    api().patch('/teams/apps/my-app', {locked: true}).reply(200, {...APP, locked: true})
    const {stderr, exitCode} = await run(['apps:transfer', 'acme', '-a', 'my-app', '--locked'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.equal('Transferring my-app to acme... done\n')
  })

  it('a collaborator is refused with the server\'s 403; --locked to a person is a usage error before anything is sent', async () => {
    api().get('/apps/my-app').reply(200, {...APP, owner: {email: 'me@example.com', id: 'u1'}})
    api().post('/account/app-transfers', {app: 'my-app', recipient: 'jane@example.com'})
      .reply(403, {id: 'forbidden', message: 'Only the owner of my-app (me@example.com) can transfer it; you are a collaborator on it.'})
    const refused = await run(['apps:transfer', 'jane@example.com', '-a', 'my-app'])
    expect(refused.exitCode).to.equal(1)
    expect(refused.stderr).to.contain('can transfer it')
    api().get('/apps/my-app').reply(200, {...APP, owner: {email: 'me@example.com', id: 'u1'}})
    const locked = await run(['apps:transfer', 'jane@example.com', '-a', 'my-app', '--locked'])
    expect(locked.exitCode).to.equal(2)
    expect(locked.stderr).to.contain('--locked applies to apps transferred to a team only')
  })

  it('--bulk without a terminal names the flag instead of prompting', async () => {
    api().get('/apps').reply(200, [{...APP, owner: {email: 'me@example.com', id: 'u1'}}])
    const {stderr, exitCode} = await run(['apps:transfer', 'jane@example.com', '--bulk'])
    expect(exitCode).to.equal(2)
    expect(stderr).to.contain('--app')
  })

  it('--bulk on a terminal transfers the apps ticked in the list', async () => {
    const owner = {email: 'me@example.com', id: 'u1'}
    api().get('/apps').reply(200, [{id: 'a2', name: 'zebra', owner}, {...APP, owner}])
    api().post('/account/app-transfers', {app: 'zebra', recipient: 'jane@example.com'}).reply(201, transfer('pending'))
    const {out, stderr} = testOutput()
    const prompter = scriptedPrompter([{answer: ['zebra (me@example.com)'], checkbox: 'Select applications you would like to transfer', flag: '--app'}])
    const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
    const results = await transferApps({api: client, bulk: true, out, prompter, recipient: 'jane@example.com'})
    expect(results).to.have.length(1) // the one transfer the POST (matched on app: 'zebra') answered
    expect(prompter.asked[0].choices).to.deep.equal(['my-app (me@example.com)', 'zebra (me@example.com)']) // sorted by name
    expect(stderr.text).to.contain('Initiating transfer of zebra... email sent')
  })
})
