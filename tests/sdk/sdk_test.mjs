// The official TypeScript SDK against `whopconf serve` (see sdk_test.sh).
import assert from 'node:assert/strict';
import Whop from '@whop/sdk';

const baseURL = process.env.WHOPCONF_BASE_URL;
const options = { baseURL, maxRetries: 0, timeout: 10000, appID: null, webhookKey: null, logLevel: 'off' };
const client = new Whop({ ...options, apiKey: process.env.WHOPCONF_TOKEN });

// The global profile: the SDK sends Api-Version-Date 2026-07-20.
const name = 'Ada via the TypeScript SDK';
const user = await client.users.updateMe({ name });
assert.equal(user.name, name);
assert.match(user.id, /^user_/);
assert.equal(user.username, 'wc_ada');
assert.equal(user.total_usd, null);
assert.deepEqual(user.balances, []);
console.log(`sdk_node: updateMe -> ${user.id} name ${JSON.stringify(user.name)}`);

// An account override through the same call (account_id goes to the query).
const over = await client.users.updateMe({ account_id: 'biz_sdk', bio: 'only for biz_sdk' });
assert.equal(over.bio, 'only for biz_sdk');
assert.equal(over.name, name);
const global = await client.users.updateMe({});
assert.equal(global.bio, 'Analytical engines and poetry.');

// Errors come back as the SDK's typed errors, from the envelope.
const keyClient = new Whop({ ...options, apiKey: process.env.WHOPCONF_API_KEY });
await assert.rejects(keyClient.users.updateMe({ name: 'nope' }), (err) => {
  assert.equal(err.status, 400);
  assert.match(JSON.stringify(err.error), /API keys cannot update a global profile/);
  return true;
});
const badClient = new Whop({ ...options, apiKey: 'not-a-real-token' });
await assert.rejects(badClient.users.updateMe({ name: 'nope' }), (err) => err.status === 401);
console.log('sdk_node: 400 for the API key and 401 for an unknown token, as typed SDK errors');

// Against a server that knows only the default versions, the SDK's own
// Api-Version-Date is refused: the header is really sent, and refused right.
const oldServer = new Whop({ ...options, baseURL: process.env.WHOPCONF_DEFAULT_URL, apiKey: process.env.WHOPCONF_TOKEN });
await assert.rejects(oldServer.users.updateMe({ name: 'nope' }), (err) => {
  assert.equal(err.status, 400);
  assert.match(JSON.stringify(err.error), /Unsupported Api-Version-Date \\"2026-07-20\\"/);
  return true;
});
console.log('sdk_node: without 2026-07-20 in the known list, the SDK gets 400 invalid_api_version');
