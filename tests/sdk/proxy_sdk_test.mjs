// The official TypeScript SDK through `whopconf proxy` (see proxy_sdk_test.sh).
// mode "clean": good calls only; "wrong-type": a call with a wrong member type
// (the SDK does not check types at run time, so it reaches the server).
import assert from 'node:assert/strict';
import Whop from '@whop/sdk';

const mode = process.argv[2];
const client = new Whop({
  baseURL: process.env.WHOPCONF_BASE_URL, apiKey: process.env.WHOPCONF_TOKEN,
  maxRetries: 0, timeout: 10000, appID: null, webhookKey: null, logLevel: 'off',
});

if (mode === 'wrong-type') {
  await assert.rejects(client.users.updateMe({ name: 42 }), (err) => err.status === 400);
  console.log('proxy_sdk: updateMe({name: 42}) -> 400 through the proxy');
} else {
  const user = await client.users.updateMe({ name: 'Ada via the proxy' });
  assert.equal(user.name, 'Ada via the proxy');
  const over = await client.users.updateMe({ account_id: 'biz_sdk', bio: 'only for biz_sdk' });
  assert.equal(over.bio, 'only for biz_sdk');
  console.log(`proxy_sdk: updateMe through the proxy -> ${user.id}`);
}
