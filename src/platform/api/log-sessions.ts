// Log sessions: a URL with its own secret that streams the app's logs. The log router comes in
// a later part; until then the URL answers the lines buffered so far, which is none.

import type {ApiRoute} from './context.js'

import {generateUrlSecret, hashToken} from '../auth/secrets.js'
import {isBoolean, isInteger, isString, parseBody} from '../http/body.js'
import {invalidParams} from '../http/errors.js'
import {json} from '../http/router.js'
import {insertLogSession} from '../store/log-sessions.js'
import {requireApp} from './resolve.js'

const LOG_SOURCES = ['app', 'heroku']

const createBody = {
  dyno_name: isString,
  // Older clients send `dyno`; both name a dyno or a process type.
  dyno: isString,
  type: isString,
  lines: isInteger(0, 1500),
  source(value: unknown, field: string) {
    const source = isString(value, field)
    if (!LOG_SOURCES.includes(source)) throw invalidParams(`"${field}" must be one of ${LOG_SOURCES.join(', ')}.`)
    return source
  },
  tail: isBoolean,
}

export const logSessionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/apps/{app}/log-sessions',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, createBody)
      const secret = generateUrlSecret()
      const session = ctx.platform.store.transaction(() => insertLogSession(ctx.platform.store, {
        appId: app.id,
        secretHash: hashToken(secret),
        options: {dyno: body.dyno_name ?? body.dyno ?? body.type ?? null, source: body.source ?? null, lines: body.lines ?? 100, tail: body.tail ?? false},
      }))
      return json({created_at: session.created_at, id: session.id, logplex_url: ctx.platform.urls.logSessionUrl(secret), updated_at: session.created_at}, 201)
    },
  },
]
