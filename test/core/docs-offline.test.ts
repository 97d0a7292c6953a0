import { describe, expect, test } from 'bun:test';
import { servedDocument } from '../../src/docs/document.ts';
import { testGateway } from '../helpers/gateway.ts';

describe('the docs page needs no network', () => {
  const gw = testGateway();

  for (const path of ['/swagger', '/docs']) {
    test(`${path} is a self-contained HTML page: no other host, only same-origin paths`, async () => {
      const res = await gw.req(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toStartWith('text/html');
      const html = await res.text();
      expect(html).toStartWith('<!doctype html>');
      expect(html.match(/https?:\/\//g) ?? []).toEqual([]);
      expect(html.match(/\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? []).toEqual([]); // no protocol-relative hosts either
      const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!);
      for (const ref of refs) expect(ref.startsWith('/') && !ref.startsWith('//') ? 'same-origin' : ref).toBe('same-origin');
      // The inline script is all there is, and it is valid JavaScript that reads the same-origin document.
      const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      expect(scripts.length).toBe(1);
      expect(() => new Function(scripts[0]!)).not.toThrow();
      expect(scripts[0]).toContain("fetch('/swagger/json')");
    });
  }

  test('/swagger/json serves the spec merged with the gateway extension paths', async () => {
    const res = await gw.req('/swagger/json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc).toEqual(JSON.parse(JSON.stringify(servedDocument())));
    expect(Object.keys(doc.paths)).toContain('/chat/completions');
    // The gateway's own routes beyond the contract are documented too; every reference resolves.
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/messages', '/messages/count_tokens', '/responses', '/embeddings', '/limits']));
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) expect(ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc), ref).toBeDefined();
  });
});
