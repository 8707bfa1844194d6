// HubSpot's Node SDK against a rate-limited hubcrm: fire more upserts at once than the window
// allows and report what each call ended with. The SDK retries 429s whose policyName is
// TEN_SECONDLY_ROLLING (after 10 s), so every call should end in success.
"use strict";
const hubspot = require("@hubspot/api-client");

async function main() {
  const client = new hubspot.Client({
    accessToken: process.env.HUBCRM_TOKEN,
    basePath: process.env.HUBCRM_URL,
    numberOfApiCallRetries: 3,
  });
  const count = Number(process.env.HUBCRM_CALLS);
  const calls = Array.from({ length: count }, (_, i) =>
    client.crm.contacts.batchApi
      .upsert({
        inputs: [{ id: `node${i}@example.com`, idProperty: "email", properties: { firstname: `N${i}` } }],
      })
      .then(
        (answer) => ({ ok: true, id: answer.results[0].id }),
        (error) => ({ ok: false, code: error.code, body: error.body }),
      ),
  );
  process.stdout.write(JSON.stringify(await Promise.all(calls)) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
