// Generated names in Heroku's style: "adjective-noun-12345" for apps, "service-adjective-12345"
// for add-ons, COLOR suffixes for further add-on attachments.
import {randomInt} from 'node:crypto'

const ADJECTIVES = [
  'afternoon', 'ancient', 'autumn', 'billowing', 'bitter', 'blue', 'bold', 'brave', 'calm', 'cold', 'crisp', 'curved', 'damp',
  'dawn', 'delicate', 'divine', 'dry', 'eager', 'empty', 'evening', 'falling', 'floating', 'fragrant', 'frosty', 'gentle',
  'glacial', 'hidden', 'holy', 'icy', 'little', 'lively', 'misty', 'morning', 'muddy', 'nameless', 'old', 'patient', 'polished',
  'proud', 'quiet', 'rapid', 'restless', 'rough', 'serene', 'shy', 'silent', 'sleepy', 'snowy', 'solitary', 'sparkling',
  'spring', 'still', 'summer', 'sunny', 'tranquil', 'twilight', 'wandering', 'weathered', 'white', 'wild', 'winter', 'young',
]

const NOUNS = [
  'bird', 'breeze', 'brook', 'bush', 'butterfly', 'cave', 'cherry', 'cloud', 'dawn', 'dew', 'dream', 'dust', 'feather',
  'field', 'fire', 'firefly', 'flower', 'fog', 'forest', 'frog', 'frost', 'glade', 'glitter', 'grass', 'harbor', 'haze',
  'hill', 'lake', 'leaf', 'meadow', 'moon', 'morning', 'mountain', 'night', 'paper', 'pine', 'pond', 'rain', 'resonance',
  'river', 'sea', 'shadow', 'shape', 'silence', 'sky', 'smoke', 'snow', 'sound', 'star', 'sun', 'sunset', 'surf', 'thunder',
  'tree', 'violet', 'voice', 'water', 'waterfall', 'wave', 'wildflower', 'wind', 'wood',
]

export const ATTACHMENT_COLORS = [
  'AQUA', 'BLACK', 'BLUE', 'BRONZE', 'BROWN', 'CHARCOAL', 'COBALT', 'COPPER', 'CRIMSON', 'CYAN', 'GOLD', 'GRAY', 'GREEN',
  'IVORY', 'JADE', 'LIME', 'MAROON', 'MAUVE', 'NAVY', 'OLIVE', 'ONYX', 'ORANGE', 'PINK', 'PURPLE', 'RED', 'ROSE', 'SILVER',
  'TEAL', 'WHITE', 'YELLOW',
]

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]
const digits = (): string => String(randomInt(10_000, 100_000))

/** Tries generated names until `taken` says one is free. */
function firstFree(generate: () => string, taken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const name = generate()
    if (!taken(name)) return name
  }

  throw new Error('Could not generate a free name after 100 attempts')
}

export function generateAppName(taken: (name: string) => boolean): string {
  return firstFree(() => `${pick(ADJECTIVES)}-${pick(NOUNS)}-${digits()}`, taken)
}

export function generateAddonName(serviceName: string, taken: (name: string) => boolean): string {
  const base = serviceName.replace(/^heroku-/, '')
  return firstFree(() => `${base}-${pick(ADJECTIVES)}-${digits()}`, taken)
}

/** App names as Heroku allows them: lowercase letter first, 3–30 chars, no trailing dash. */
export const APP_NAME = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/
export const ADDON_NAME = /^[a-zA-Z][A-Za-z0-9_-]{1,99}$/
export const ATTACHMENT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/
