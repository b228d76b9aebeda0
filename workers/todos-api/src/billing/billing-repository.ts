// D1 access for billing profiles: a caller's first read stores a sample profile, race-free.

/** A billing profile as the API returns it. */
export interface BillingProfile {
  plan: string;
  status: string;
  currency: string;
  monthlyPriceCents: number;
  createdAt: string;
}

interface BillingRow {
  plan: string;
  status: string;
  currency: string;
  monthly_price_cents: number;
  created_at: string;
}

/** What a new user gets: this demo has no payment provider, so every profile starts as this sample. */
export const sampleProfile = { plan: 'starter', status: 'active', currency: 'USD', monthlyPriceCents: 900 } as const;

export async function getOrCreateBillingProfile(db: D1Database, owner: string): Promise<BillingProfile> {
  // Two first requests may race: ON CONFLICT DO NOTHING lets both succeed, and both read the one stored row.
  const insert = db
    .prepare(
      `INSERT INTO billing_profiles (owner, plan, status, currency, monthly_price_cents, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (owner) DO NOTHING`,
    )
    .bind(
      owner,
      sampleProfile.plan,
      sampleProfile.status,
      sampleProfile.currency,
      sampleProfile.monthlyPriceCents,
      new Date().toISOString(),
    );
  const select = db
    .prepare('SELECT plan, status, currency, monthly_price_cents, created_at FROM billing_profiles WHERE owner = ?1')
    .bind(owner);
  const [, selected] = await db.batch<BillingRow>([insert, select]);
  const row = selected?.results[0];
  if (row === undefined) throw new Error('billing profile missing right after its upsert');
  return {
    plan: row.plan,
    status: row.status,
    currency: row.currency,
    monthlyPriceCents: row.monthly_price_cents,
    createdAt: row.created_at,
  };
}
