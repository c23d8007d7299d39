/**
 * Every official test vector of the Standard Webhooks libraries and OpenAI's SDKs, with their exact inputs
 * (docs/providers/openai.md "Facts and sources" §4.1 says where each comes from). The expected signatures are
 * pasted from those suites (and were recomputed once with python's hmac, which agreed); they are never
 * recomputed with the code under test.
 */
export interface Vector {
  source: string;
  secret: string;
  id: string;
  timestamp: string;
  body: string;
  signature: string;
}

/** Every official vector, exact bytes (note the spaces after `:` and `,` in the JSON bodies). */
export const VECTORS: readonly Vector[] = [
  {
    source: 'OpenAI SDKs (openai-python tests/lib/test_webhooks.py, openai-node tests/lib/webhooks.test.ts)',
    secret: 'whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=',
    id: 'wh_685c059ae39c8190af8c71ed1022a24d',
    timestamp: '1750861210',
    body: '{"id": "evt_685c059ae3a481909bdc86819b066fb6", "object": "event", "created_at": 1750861210, "type": "response.completed", "data": {"id": "resp_123"}}',
    signature: 'v1,gUAg4R2hWouRZqRQG4uJypNS8YK885G838+EHb4nKBY=',
  },
  {
    source: 'Standard Webhooks JS, Go, Ruby, PHP, C#, Java libraries',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: '1614265330',
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  },
  {
    source: 'Standard Webhooks Rust library (test_sign)',
    secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
    id: 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk',
    timestamp: '1649367553',
    body: '{"email":"test@example.com","username":"test_user"}',
    signature: 'v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=',
  },
  {
    source: "Standard Webhooks PHP TestPayload default body, the JS vector's key, id and timestamp",
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: '1614265330',
    body: '{"test": 2432232315}',
    signature: 'v1,TW/pFPJ2/LwRQdgfM7WklE9yJiRyMs0cTpVPK8leNAU=',
  },
  {
    source: 'openai-python tests/lib/test_webhook_signature.py synthetic fixture (non-ASCII body)',
    secret: 'whsec_c3ludGhldGljLXdlYmhvb2stc2VjcmV0',
    id: 'evt_synthetic',
    timestamp: '1750000000',
    body: '{"synthetic": "café"}',
    signature: 'v1,qzuLCtHIXTcfJr8yxIcKC07cOqyNSgdmZRut6AFa+RA=',
  },
];
