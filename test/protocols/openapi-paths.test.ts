/** /swagger/json lists the protocol routes beside the spec's, under the /v1 server (tag Completions). */
import { expect, test } from 'bun:test';
import { testGateway } from '../helpers/gateway.ts';

test('the served document has /messages, /messages/count_tokens, /responses and /embeddings', async () => {
  const doc = (await (await testGateway().req('/swagger/json')).json()) as { paths: Record<string, { post?: { tags?: string[]; responses?: Record<string, unknown> } }> };
  for (const path of ['/messages', '/messages/count_tokens', '/responses', '/embeddings']) {
    expect(doc.paths[path]?.post?.tags).toEqual(['Completions']);
    expect(Object.keys(doc.paths[path]?.post?.responses ?? {})).toEqual(['200', '400', '401', '502']);
  }
  expect(doc.paths['/chat/completions']).toBeDefined();
});
