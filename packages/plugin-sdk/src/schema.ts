// Plugin config schemas: a small, serializable JSON-Schema subset with a validator of our own.
// Plain data travels with the manifest (to workers, to a UI); no code generation, so it also
// runs in workerd, where eval is forbidden.

export type ConfigSchema =
  | {
      type: 'string'
      enum?: readonly string[]
      pattern?: string
      minLength?: number
      maxLength?: number
      description?: string
      default?: string
    }
  | { type: 'number' | 'integer'; minimum?: number; maximum?: number; description?: string; default?: number }
  | { type: 'boolean'; description?: string; default?: boolean }
  | { type: 'array'; items: ConfigSchema; minItems?: number; maxItems?: number; description?: string }
  | {
      type: 'object'
      properties: Readonly<Record<string, ConfigSchema>>
      required?: readonly string[]
      additionalProperties?: boolean
      description?: string
    }

export interface SchemaIssue {
  /** JSON-pointer-like path of the offending value, e.g. "/sources/0/url" */
  path: string
  message: string
}

/** Validates `value`; returns the value with defaults filled in, or the list of issues. */
export function validateConfig(
  schema: ConfigSchema,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] } {
  const issues: SchemaIssue[] = []
  const out = check(schema, value, '', issues)
  return issues.length === 0 ? { ok: true, value: out } : { ok: false, issues }
}

function check(schema: ConfigSchema, value: unknown, path: string, issues: SchemaIssue[]): unknown {
  const at = path || '/'
  switch (schema.type) {
    case 'string': {
      if (value === undefined && schema.default !== undefined) return schema.default
      if (typeof value !== 'string') return void issues.push({ path: at, message: 'must be a string' })
      if (schema.enum && !schema.enum.includes(value))
        issues.push({ path: at, message: `must be one of ${schema.enum.join(', ')}` })
      if (schema.pattern && !new RegExp(schema.pattern).test(value))
        issues.push({ path: at, message: `must match ${schema.pattern}` })
      if (schema.minLength !== undefined && value.length < schema.minLength)
        issues.push({ path: at, message: `must have at least ${schema.minLength} characters` })
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        issues.push({ path: at, message: `must have at most ${schema.maxLength} characters` })
      return value
    }
    case 'number':
    case 'integer': {
      if (value === undefined && schema.default !== undefined) return schema.default
      if (typeof value !== 'number' || !Number.isFinite(value))
        return void issues.push({ path: at, message: 'must be a finite number' })
      if (schema.type === 'integer' && !Number.isInteger(value))
        issues.push({ path: at, message: 'must be an integer' })
      if (schema.minimum !== undefined && value < schema.minimum)
        issues.push({ path: at, message: `must be ≥ ${schema.minimum}` })
      if (schema.maximum !== undefined && value > schema.maximum)
        issues.push({ path: at, message: `must be ≤ ${schema.maximum}` })
      return value
    }
    case 'boolean': {
      if (value === undefined && schema.default !== undefined) return schema.default
      if (typeof value !== 'boolean') issues.push({ path: at, message: 'must be a boolean' })
      return value
    }
    case 'array': {
      if (!Array.isArray(value)) return void issues.push({ path: at, message: 'must be an array' })
      if (schema.minItems !== undefined && value.length < schema.minItems)
        issues.push({ path: at, message: `must have at least ${schema.minItems} items` })
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        issues.push({ path: at, message: `must have at most ${schema.maxItems} items` })
      return value.map((item, i) => check(schema.items, item, `${path}/${i}`, issues))
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return void issues.push({ path: at, message: 'must be an object' })
      }
      const input = value as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const key of schema.required ?? []) {
        if (input[key] === undefined && defaultOf(schema.properties[key]) === undefined) {
          issues.push({ path: `${path}/${key}`, message: 'is required' })
        }
      }
      for (const [key, sub] of Object.entries(schema.properties)) {
        if (input[key] === undefined && defaultOf(sub) === undefined) continue
        out[key] = check(sub, input[key], `${path}/${key}`, issues)
      }
      for (const key of Object.keys(input)) {
        if (!(key in schema.properties)) {
          if (schema.additionalProperties === false)
            issues.push({ path: `${path}/${key}`, message: 'is not allowed' })
          else out[key] = input[key]
        }
      }
      return out
    }
  }
}

function defaultOf(schema: ConfigSchema | undefined): unknown {
  return schema !== undefined && 'default' in schema ? schema.default : undefined
}
