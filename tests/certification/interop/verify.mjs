// Independent verifier for credentials issued by certification/vc, built only on
// Digital Bazaar's JavaScript libraries (VC 2.0, Data Integrity eddsa-rdfc-2022,
// did:key, Bitstring Status List). Never touches the network: contexts come from
// certification/vc/contexts, did:key is resolved locally, status lists from files.
//
// usage: node verify.mjs CREDENTIAL.json [--status-list LIST.json ...] [--now ISO-DATETIME]
// prints {"verified": bool, "valid": bool, "status": {purpose: bool}, "error": string|null}
//   verified: what @digitalbazaar/vc says (proof, dates, status list integrity)
//   status:   the bit for each credentialStatus purpose (true = revoked / suspended)
//   valid:    verified and no status bit set
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = join(here, '..', '..', '..', 'certification', 'vc', 'contexts');

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function parseArgs(argv) {
  const args = {statusLists: [], now: undefined, credential: undefined};
  for(let i = 0; i < argv.length; i++) {
    if(argv[i] === '--status-list') {
      args.statusLists.push(argv[++i]);
    } else if(argv[i] === '--now') {
      args.now = argv[++i];
    } else {
      args.credential = argv[i];
    }
  }
  return args;
}

function makeDocumentLoader(statusLists) {
  const contextIndex = readJson(join(contextsDir, 'index.json'));
  const didKey = didKeyDriver();
  didKey.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519Multikey.from
  });
  return async url => {
    if(Object.hasOwn(contextIndex, url)) {
      return {
        contextUrl: null,
        documentUrl: url,
        document: readJson(join(contextsDir, contextIndex[url]))
      };
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url,
        document: await didKey.get({url})};
    }
    if(statusLists.has(url)) {
      return {contextUrl: null, documentUrl: url, document: statusLists.get(url)};
    }
    throw new Error(`document not available offline: ${url}`);
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const credential = readJson(args.credential);
  const statusLists = new Map();
  for(const path of args.statusLists) {
    const list = readJson(path);
    statusLists.set(list.id, list);
  }
  const documentLoader = makeDocumentLoader(statusLists);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, checkStatus, now: args.now
  });
  const status = {};
  for(const entry of result.statusResult?.results ?? []) {
    if(entry.credentialStatus) {
      status[entry.credentialStatus.statusPurpose] = entry.status;
    }
  }
  const error = result.error ?? result.statusResult?.error ??
    result.results?.find(r => r.error)?.error;
  const messages = [].concat(error?.errors ?? error ?? []).map(e => e.message);
  process.stdout.write(JSON.stringify({
    verified: result.verified,
    valid: result.verified && !Object.values(status).some(Boolean),
    status,
    error: messages.length ? messages.join('; ') : null
  }) + '\n');
}

main().catch(e => {
  process.stdout.write(JSON.stringify({
    verified: false, valid: false, status: {}, error: String(e?.message ?? e)
  }) + '\n');
  process.exitCode = 2;
});
