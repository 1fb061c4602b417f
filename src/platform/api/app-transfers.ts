// App transfers (the schema's app-transfer): the owner offers an app to another account
// (POST /account/app-transfers {app, recipient}); the recipient accepts or declines it
// (PATCH {state}); the owner may withdraw a pending offer (DELETE). On acceptance the recipient
// owns the app and the previous owner stays on as a collaborator, as on Heroku. Each account
// sees the transfers it made or was offered, nobody else's.

import type {ApiRoute, RequestContext} from './context.js'

import {isBoolean, isIdentity, parseBody} from '../http/body.js'
import {forbidden, invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {isUuid} from '../ids.js'
import {findAccountByEmail, findAccountById} from '../store/accounts.js'
import {findAppById, findUsableApp, isAppOwner} from '../store/apps.js'
import {
  type AppTransferRow, changeAppOwner, deleteTransfer, findAccountTransfer, findPendingTransfer, insertTransfer, listAccountTransfers, setTransferState,
} from '../store/collaborators.js'
import {ownerOnly, requireParam} from './resolve.js'

function serialize(ctx: RequestContext, transfer: AppTransferRow): object {
  const {store} = ctx.platform
  const app = findAppById(store, transfer.app_id)
  const person = (id: string) => ({email: findAccountById(store, id)?.email ?? 'deleted-user@localhost', id})
  return {
    app: {id: transfer.app_id, name: app?.name ?? null},
    created_at: transfer.created_at,
    id: transfer.id,
    owner: person(transfer.owner_id),
    recipient: person(transfer.recipient_id),
    state: transfer.state,
    updated_at: transfer.updated_at,
  }
}

function requireTransfer(ctx: RequestContext): AppTransferRow {
  const transfer = findAccountTransfer(ctx.platform.store, ctx.account.id, requireParam(ctx, 'transfer'))
  if (transfer === undefined) throw notFound("Couldn't find that app transfer.", 'app_transfer')
  return transfer
}

function create(ctx: RequestContext) {
  const body = parseBody(ctx.body, {app: isIdentity, recipient: isIdentity, silent: isBoolean}, ['app', 'recipient'])
  const {store} = ctx.platform
  const app = findUsableApp(store, ctx.account.id, body.app!)
  if (app === undefined) throw notFound("Couldn't find that app.", 'app')
  if (!isAppOwner(app, ctx.account.id)) ownerOnly(ctx, app, 'transfer it')
  const transfer = store.transaction(() => {
    const recipient = isUuid(body.recipient!) ? findAccountById(store, body.recipient!.toLowerCase()) : findAccountByEmail(store, body.recipient!)
    if (recipient === undefined) throw invalidParams(`"recipient": there is no account ${body.recipient} on this platform; an app is transferred to an existing account (email or id).`)
    if (recipient.id === app.owner_id) throw invalidParams(`"recipient": ${recipient.email} already owns ${app.name}.`)
    if (findPendingTransfer(store, app.id)) throw invalidParams(`"app": ${app.name} already has a pending transfer; delete it first (DELETE /account/app-transfers/${app.name}).`)
    return insertTransfer(store, {appId: app.id, ownerId: ctx.account.id, recipientId: recipient.id})
  })
  return json(serialize(ctx, transfer), 201)
}

function update(ctx: RequestContext) {
  const body = parseBody(ctx.body, {
    state(value: unknown, field: string) {
      if (value !== 'accepted' && value !== 'declined') throw invalidParams(`"${field}" must be "accepted" or "declined".`)
      return value
    },
  }, ['state'])
  const {store} = ctx.platform
  const updated = store.transaction(() => {
    const transfer = requireTransfer(ctx)
    if (transfer.recipient_id !== ctx.account.id) throw forbidden('Only the recipient of an app transfer can accept or decline it.')
    if (transfer.state !== 'pending') throw invalidParams(`"state": this transfer was already ${transfer.state}.`)
    const app = findAppById(store, transfer.app_id)
    // the app changed hands since the offer (e.g. another transfer): the offer no longer holds
    if (app === undefined || app.owner_id !== transfer.owner_id) throw invalidParams('"state": the app is no longer owned by the account that offered it.')
    if (body.state === 'accepted') changeAppOwner(store, app.id, transfer.owner_id, transfer.recipient_id)
    return setTransferState(store, transfer.id, body.state!)
  })
  return json(serialize(ctx, updated))
}

function destroy(ctx: RequestContext) {
  const {store} = ctx.platform
  const transfer = store.transaction(() => {
    const found = requireTransfer(ctx)
    if (found.owner_id !== ctx.account.id) throw forbidden('Only the account that offered an app transfer can delete it; its recipient declines it (PATCH {"state": "declined"}).')
    deleteTransfer(store, found.id)
    return found
  })
  return json(serialize(ctx, transfer))
}

export const appTransferRoutes: ApiRoute[] = [
  {method: 'GET', path: '/account/app-transfers', handler: ctx => list(listAccountTransfers(ctx.platform.store, ctx.account.id).map(t => serialize(ctx, t)), {fields: ['id']})},
  {method: 'POST', path: '/account/app-transfers', handler: create},
  {method: 'GET', path: '/account/app-transfers/{transfer}', handler: ctx => json(serialize(ctx, requireTransfer(ctx)))},
  {method: 'PATCH', path: '/account/app-transfers/{transfer}', handler: update},
  {method: 'DELETE', path: '/account/app-transfers/{transfer}', handler: destroy},
]
