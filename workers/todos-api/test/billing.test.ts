// /api/billing against real D1: a first read stores the sample profile, later reads return the stored one.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { callWorker } from './support/call-worker.js';
import { mintToken } from './support/fake-idp-jwks.js';

describe('GET /api/billing', () => {
  it('should give a new user the sample profile and store it', async () => {
    const token = await mintToken('auth0|billing-new', ['read:billing']);
    const response = await callWorker('/api/billing', { token });
    expect(response.status).toBe(200);
    const profile = await response.json();
    expect(profile).toEqual({ plan: 'starter', status: 'active', currency: 'USD', monthlyPriceCents: 900, createdAt: expect.any(String) });
    const row = await env.DB.prepare('SELECT plan FROM billing_profiles WHERE owner = ?').bind('auth0|billing-new').first();
    expect(row).toEqual({ plan: 'starter' });
  });

  it('should return the stored profile, not a new sample, on later reads', async () => {
    await env.DB.prepare(
      "INSERT INTO billing_profiles (owner, plan, status, currency, monthly_price_cents, created_at) VALUES ('auth0|billing-pro', 'pro', 'past_due', 'EUR', 2900, '2026-01-01T00:00:00.000Z')",
    ).run();
    const token = await mintToken('auth0|billing-pro', ['read:billing']);
    expect(await (await callWorker('/api/billing', { token })).json()).toEqual({
      plan: 'pro',
      status: 'past_due',
      currency: 'EUR',
      monthlyPriceCents: 2900,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('should store exactly one profile when a new user makes concurrent first reads', async () => {
    const token = await mintToken('auth0|billing-race', ['read:billing']);
    const responses = await Promise.all(Array.from({ length: 5 }, () => callWorker('/api/billing', { token })));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    const { count } = (await env.DB.prepare('SELECT count(*) AS count FROM billing_profiles WHERE owner = ?')
      .bind('auth0|billing-race')
      .first<{ count: number }>())!;
    expect(count).toBe(1);
  });

  it('should require read:billing', async () => {
    const token = await mintToken('auth0|billing-none', ['read:todos', 'write:todos']);
    const response = await callWorker('/api/billing', { token });
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="todos-api", error="insufficient_scope", scope="read:billing"');
  });
});
