// URLs that carry their own authorization (build output, slug upload): the secret part is an
// HMAC of the resource id under a per-platform key, so nothing secret needs storing per URL.
import {createHmac, timingSafeEqual} from 'node:crypto'

export type CapabilityKind = 'build-output' | 'pg-backup' | 'release-output' | 'slug-blob'

export class CapabilitySigner {
  constructor(private readonly key: Buffer) {}

  sign(kind: CapabilityKind, id: string): string {
    return createHmac('sha256', this.key).update(`${kind}:${id}`).digest('base64url')
  }

  verify(kind: CapabilityKind, id: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(kind, id))
    const actual = Buffer.from(signature)
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  }
}
