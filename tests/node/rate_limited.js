// HubSpot's Node SDK against a rate-limited hubcrm: fire more calls at once than the limits allow
// and report what each call ended with. HUBCRM_MODE "upsert" trips the rolling window, which the
// SDK retries (policyName TEN_SECONDLY_ROLLING, after 10 s); "search" trips search's per-second
// limit, which it retries by its message ("You have reached your secondly limit.", after 1 s).
// HUBCRM_SDK_WAIT_SCALE (default 1) scales every timer of this process, so the SDK's waits
// between retries pass sooner; the SDK itself still decides whether and how long to wait.
"use strict";
const hubspot = require("@hubspot/api-client");

const waitScale = Number(process.env.HUBCRM_SDK_WAIT_SCALE || "1");
if (waitScale !== 1) {
  const realSetTimeout = global.setTimeout;
  global.setTimeout = (callback, ms, ...args) =>
    realSetTimeout(callback, (Number(ms) || 0) * waitScale, ...args);
}

async function main() {
  const client = new hubspot.Client({
    accessToken: process.env.HUBCRM_TOKEN,
    basePath: process.env.HUBCRM_URL,
    numberOfApiCallRetries: 3,
  });
  const count = Number(process.env.HUBCRM_CALLS);
  const search = process.env.HUBCRM_MODE === "search";
  const call = (i) =>
    search
      ? client.crm.contacts.searchApi
          .doSearch({ query: "nobody", limit: 10 })
          .then((answer) => ({ ok: true, id: String(answer.total + i + 1) }))
      : client.crm.contacts.batchApi
          .upsert({
            inputs: [
              { id: `node${i}@example.com`, idProperty: "email", properties: { firstname: `N${i}` } },
            ],
          })
          .then((answer) => ({ ok: true, id: answer.results[0].id }));
  const calls = Array.from({ length: count }, (_, i) =>
    call(i).then(
        (answer) => answer,
        (error) => ({ ok: false, code: error.code, body: error.body }),
      ),
  );
  process.stdout.write(JSON.stringify(await Promise.all(calls)) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
