// Independent verifier for credentials issued by certification/vc, built only on
// Digital Bazaar's JavaScript libraries (VC 2.0, Data Integrity eddsa-rdfc-2022,
// did:key, Bitstring Status List). Never touches the network: contexts come from
// certification/vc/contexts, did:key is resolved locally, status lists from files.
//
// usage: node verify.mjs CREDENTIAL.json [--status-list LIST.json ...] [--now ISO-DATETIME]
//          [--context-alias URL ...]
// prints {"verified": bool, "valid": bool, "status": {purpose: bool}, "error": string|null}
//   verified: what @digitalbazaar/vc says (proof, dates, status list integrity)
//   status:   the bit for each credentialStatus purpose (true = revoked / suspended)
//   valid:    verified and no revocation or suspension bit set (a "message" entry, 2 bits,
//             only explains a set revocation bit; this library reads one bit of it)
// --now ISO-DATETIME: the instant the credential *and its status lists* are judged at (a list
// past its validUntil is refused); the library would check the lists against the system clock.
// --context-alias URL: a deployment's CONTEXT_URL, served by our bundled registry context
// (as a verifier configured for that issuer would do). It checks proofs and status, not whose
// key signed: trusting the issuer's key is python -m certification.verify's job.
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
  const args = {statusLists: [], now: undefined, credential: undefined,
    contextAliases: []};
  for(let i = 0; i < argv.length; i++) {
    if(argv[i] === '--status-list') {
      args.statusLists.push(argv[++i]);
    } else if(argv[i] === '--context-alias') {
      args.contextAliases.push(argv[++i]);
    } else if(argv[i] === '--now') {
      args.now = argv[++i];
    } else {
      args.credential = argv[i];
    }
  }
  return args;
}

const REGISTRY_CONTEXT = 'https://caregiver-registry.example/ns/credentials/v1';

function makeDocumentLoader(statusLists, contextAliases) {
  const contextIndex = readJson(join(contextsDir, 'index.json'));
  for(const url of contextAliases) {
    contextIndex[url] = contextIndex[REGISTRY_CONTEXT];
  }
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
  const documentLoader = makeDocumentLoader(statusLists, args.contextAliases);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  // Each status list credential is verified (proof, validFrom, validUntil) at `now`, then the
  // library reads the bits (and checks purposes and matching issuers) without re-verifying.
  const checkStatusAt = async options => {
    const entries = [].concat(options.credential.credentialStatus ?? []);
    for(const url of new Set(entries.map(entry => entry.statusListCredential))) {
      if(!statusLists.has(url)) {
        continue;  // the library reports the list it cannot load
      }
      const listResult = await vc.verifyCredential({
        credential: statusLists.get(url), suite, documentLoader, now: args.now
      });
      if(!listResult.verified) {
        const reason = listResult.error?.message ??
          listResult.error?.errors?.map(e => e.message).join('; ');
        return {verified: false, error: new Error(
          `"BitstringStatusListCredential" not verified; reason: ${reason}`)};
      }
    }
    return checkStatus({...options, verifyBitstringStatusListCredential: false});
  };
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, checkStatus: checkStatusAt, now: args.now
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
    valid: result.verified && !status.revocation && !status.suspension,
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
