/** Loads openapi.yaml (embedded in the binary by Bun) and exposes its provider and settings tables, typed. */
import rawSpec from '../openapi.yaml';
import { isRecord } from './json.ts';

export type AuthType = 'bearer' | 'xheader' | 'query' | 'none';
export type SettingType = 'string' | 'bool' | 'int' | 'time.Duration';

/** One row of `x-provider-configs`. */
export interface ProviderRow {
  id: string;
  url: string;
  authType: AuthType;
  supportsVision: boolean;
  endpoints: { models: string; chat: string };
}

/** One row of `x-config`. */
export interface SettingRow {
  name: string;
  env: string;
  type: SettingType;
  default?: string;
  description: string;
  secret: boolean;
  section: string;
}

export type JsonSchema = { [key: string]: unknown };

const AUTH_TYPES: readonly string[] = ['bearer', 'xheader', 'query', 'none'];
const SETTING_TYPES: readonly string[] = ['string', 'bool', 'int', 'time.Duration'];


function field(obj: unknown, key: string, where: string): unknown {
  if (!isRecord(obj) || !(key in obj)) throw new Error(`openapi.yaml: ${where}.${key} is missing`);
  return obj[key];
}

function str(obj: unknown, key: string, where: string): string {
  const v = field(obj, key, where);
  if (typeof v !== 'string') throw new Error(`openapi.yaml: ${where}.${key} must be a string`);
  return v;
}

/** The whole document, for serving and for schema lookups. */
export const SPEC: JsonSchema = isRecord(rawSpec) ? rawSpec : {};
const schemas = field(field(SPEC, 'components', 'spec'), 'schemas', 'components');

/** Looks up `#/components/schemas/<name>`. */
export function schemaByName(name: string): JsonSchema {
  const s = field(schemas, name, 'components.schemas');
  if (!isRecord(s)) throw new Error(`openapi.yaml: schema ${name} is not an object`);
  return s;
}

function loadProviders(): ProviderRow[] {
  const table = field(schemaByName('Provider'), 'x-provider-configs', 'Provider');
  if (!isRecord(table)) throw new Error('openapi.yaml: x-provider-configs must be a map');
  return Object.entries(table).map(([key, row]) => {
    const where = `x-provider-configs.${key}`;
    const authType = str(row, 'auth_type', where);
    if (!AUTH_TYPES.includes(authType)) throw new Error(`openapi.yaml: ${where}.auth_type ${authType} is unknown`);
    const endpoints = field(row, 'endpoints', where);
    return {
      id: str(row, 'id', where),
      url: str(row, 'url', where),
      authType: authType as AuthType,
      supportsVision: field(row, 'supports_vision', where) === true,
      endpoints: {
        models: str(field(endpoints, 'models', where), 'endpoint', `${where}.endpoints.models`),
        chat: str(field(endpoints, 'chat', where), 'endpoint', `${where}.endpoints.chat`),
      },
    };
  });
}

function loadSettings(): SettingRow[] {
  const sections = field(field(schemaByName('Config'), 'x-config', 'Config'), 'sections', 'x-config');
  if (!Array.isArray(sections)) throw new Error('openapi.yaml: x-config.sections must be a list');
  return sections.flatMap((entry: unknown) => {
    if (!isRecord(entry)) return [];
    return Object.entries(entry).flatMap(([section, body]) => {
      const list = field(body, 'settings', `x-config.${section}`);
      if (!Array.isArray(list)) throw new Error(`openapi.yaml: x-config.${section}.settings must be a list`);
      return list.map((s: unknown): SettingRow => {
        const where = `x-config.${section}`;
        const type = str(s, 'type', where);
        if (!SETTING_TYPES.includes(type)) throw new Error(`openapi.yaml: ${where} type ${type} is unknown`);
        const dflt = isRecord(s) ? s.default : undefined;
        return {
          name: str(s, 'name', where),
          env: str(s, 'env', where),
          type: type as SettingType,
          default: dflt === undefined ? undefined : String(dflt),
          description: str(s, 'description', where),
          secret: isRecord(s) && s.secret === true,
          section,
        };
      });
    });
  });
}

/** The providers of `x-provider-configs`, in the spec's order. */
export const PROVIDER_ROWS: readonly ProviderRow[] = loadProviders();
/** Every setting of `x-config`, in the spec's order. */
export const SPEC_SETTINGS: readonly SettingRow[] = loadSettings();
/** The version in the spec's `info`. */
export const API_VERSION: string = str(field(SPEC, 'info', 'spec'), 'version', 'info');
