// Writing responses: JSON with ETag (and 304 on If-None-Match), errors in the API's shape.

import type {IncomingMessage, ServerResponse} from 'node:http'

import {createHash} from 'node:crypto'

import type {ApiError} from './errors.js'

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const etag = `"${createHash('sha1').update(text).digest('base64url')}"`
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.setHeader('ETag', etag)
  if ((req.method === 'GET' || req.method === 'HEAD') && status < 300 && ifNoneMatch(req.headers['if-none-match'], etag)) {
    res.writeHead(304).end()
    return
  }

  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.writeHead(status).end(req.method === 'HEAD' ? undefined : text)
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some(tag => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`
  })
}

export function sendError(req: IncomingMessage, res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }

  sendJson(req, res, error.status, JSON.stringify(error.toBody()))
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.writeHead(status).end(text)
}
