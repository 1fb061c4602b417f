// API responses shaped like the Platform API schema (schema/platform-api/schema.json): the
// example of each link's targetSchema, built from the examples the schema gives its properties.
// The --json shape snapshot (json-shapes.test.ts) answers the CLI's requests with them.
import {readFileSync} from 'node:fs'

type Node = Record<string, unknown>

const schema = JSON.parse(readFileSync(new URL('../../schema/platform-api/schema.json', import.meta.url), 'utf8')) as {definitions: Record<string, Node & {links?: Link[]}>}

interface Link {
  href: string
  method: string
  targetSchema?: Node
  title?: string
}

function resolve(ref: string): Node {
  // #/definitions/app/definitions/name
  let node: unknown = schema
  for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Node)[decodeURIComponent(part)]
  if (node === undefined) throw new Error(`schema has no ${ref}`)
  return node as Node
}

/** An example value of a schema node: its own example, else one built from its parts. */
export function exampleOf(node: Node, depth = 0): unknown {
  if (typeof node.$ref === 'string') return exampleOf(resolve(node.$ref), depth)
  if ('example' in node) return node.example
  const alternatives = (node.anyOf ?? node.oneOf) as Node[] | undefined
  if (alternatives) return exampleOf(alternatives[0], depth)
  const declared = (node.type as string | string[] | undefined) ?? (node.properties ? 'object' : 'string')
  const types = Array.isArray(declared) ? declared : [declared]
  const type = types.find(t => t !== 'null')
  if (type === undefined) return null
  if (depth > 8) return type === 'array' ? [] : (type === 'object' ? {} : null)
  switch (type) {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, Node>
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, exampleOf(v, depth + 1)]))
    }

    case 'array': {
      return node.items ? [exampleOf(node.items as Node, depth + 1)] : []
    }

    case 'boolean': {
      return true
    }

    case 'integer':
    case 'number': {
      return 0
    }

    default: {
      return 'example'
    }
  }
}

const links: Array<Link & {literal: number, pattern: RegExp}> = Object.values(schema.definitions).flatMap(d => (d.links ?? []).map(link => ({
  ...link,
  // {(%23%2Fdefinitions%2Fapp%2Fdefinitions%2Fidentity)} is one path segment
  literal: link.href.replaceAll(/\{[^}]*\}/g, '').length,
  pattern: new RegExp(`^${link.href.split(/\{[^}]*\}/).map(literal => literal.replaceAll(/[.*+?^$()|[\]\\]/g, String.raw`\$&`)).join('[^/]+')}$`),
})))

/** The schema's link for a request (the most literal match), or undefined when the schema has none. */
export function linkFor(method: string, path: string): Link | undefined {
  const bare = path.split('?')[0]
  return links.filter(l => l.method === method && l.pattern.test(bare)).sort((a, b) => b.literal - a.literal)[0]
}

/** The example answer of the schema for a request; throws when the schema does not describe it. */
export function schemaResponse(method: string, path: string): unknown {
  const link = linkFor(method, path)
  if (!link) throw new Error(`the Platform API schema has no link for ${method} ${path}: give this call a body`)
  return link.targetSchema ? exampleOf(link.targetSchema) : {}
}
