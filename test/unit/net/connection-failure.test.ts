import { describe, expect, it } from 'vitest';
import { describeConnectionFailure } from '../../../lib/net/connection-failure.js';

// Node 24's wording for a certificate no trusted root vouches for (Node 20 and 22 say the reason alone).
const NODE_24_ADVICE = '; if the root CA is installed locally, try running Node.js with --use-system-ca';

describe('describeConnectionFailure', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  ])('says the same for %s on Node 24 as on Node 20 and 22', (code, reason) => {
    const onNode24 = describeConnectionFailure(Object.assign(new Error(reason + NODE_24_ADVICE), { code }));
    const onNode22 = describeConnectionFailure(Object.assign(new Error(reason), { code }));
    expect(onNode24).toEqual({ code, text: `TLS certificate rejected (${reason})` });
    expect(onNode22).toEqual(onNode24);
  });
});
