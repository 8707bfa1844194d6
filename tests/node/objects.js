// HubSpot's Node SDK through companies and deals against a live hubcrm: every objects call an
// integration makes, each answer deserialised by the SDK's own models. Prints what it saw.
"use strict";
const hubspot = require("@hubspot/api-client");

async function exercise(api, properties, text) {
  const created = await api.basicApi.create({ properties: properties("One") });
  const read = await api.basicApi.getById(created.id, [text]);
  const updated = await api.basicApi.update(created.id, { properties: { [text]: "Uno" } });
  const batch = await api.batchApi.create({
    inputs: [{ properties: properties("Two") }, { properties: properties("Three") }],
  });
  const ids = batch.results.map((r) => r.id).sort();
  const batchRead = await api.batchApi.read({
    inputs: ids.map((id) => ({ id })),
    properties: [text],
    propertiesWithHistory: [],
  });
  const found = await api.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: text, operator: "EQ", value: "Uno" }] }],
    properties: [text],
    limit: 10,
  });
  const page = await api.basicApi.getPage(2, undefined, [text]);
  await api.basicApi.archive(created.id);
  await api.batchApi.archive({ inputs: ids.map((id) => ({ id })) });
  let gone = 0;
  try {
    await api.basicApi.getById(created.id);
  } catch (error) {
    gone = error.code;
  }
  return {
    created: created.id,
    createdAt: created.createdAt instanceof Date,
    read: read.properties[text],
    updated: updated.properties[text],
    batch: batchRead.results.map((r) => r.properties[text]).sort(),
    found: found.results.map((r) => r.id),
    total: found.total,
    page: page.results.length,
    next: page.paging ? page.paging.next.after : null,
    gone,
  };
}

async function main() {
  const client = new hubspot.Client({
    accessToken: process.env.HUBCRM_TOKEN,
    basePath: process.env.HUBCRM_URL,
  });
  const out = {
    companies: await exercise(
      client.crm.companies,
      (n) => ({ name: `Acme ${n}`, domain: `${n.toLowerCase()}.example.com` }),
      "name",
    ),
    deals: await exercise(client.crm.deals, (n) => ({ dealname: `Deal ${n}`, amount: "10" }), "dealname"),
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
