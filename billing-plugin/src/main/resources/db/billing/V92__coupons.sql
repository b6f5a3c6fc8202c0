-- Coupons and promotion codes (issue 55; coupons/Coupons; docs/changing-prices.md, "Coupons and
-- promotion codes"). A coupon is a discount an admin defines (a percentage, or an amount in one
-- currency, off the plan fees, the usage of some meters and the store items it applies to); its
-- promotion codes are what a customer types. A redemption gives one organization the coupon for the billing periods its
-- duration counts: [discount_from, discount_until), fixed when it is redeemed (null: forever).

CREATE TABLE billing_coupons (
    id                  text COLLATE "C" PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,40}$'),
    percent_off         numeric CHECK (percent_off > 0 AND percent_off <= 100),
    amount_off          numeric CHECK (amount_off > 0),
    currency            char(3),
    duration            text    NOT NULL CHECK (duration IN ('once', 'repeating', 'forever')),
    duration_in_periods int     CHECK (duration_in_periods > 0),
    -- what it takes off: plan fee lines of these plans, usage and overage lines of these meters,
    -- store item lines
    applies_plans       text[]  NOT NULL,
    applies_meters      text[]  NOT NULL,
    applies_store       boolean NOT NULL,
    max_redemptions     int     CHECK (max_redemptions > 0),
    -- taken by one conditional update per redemption: concurrent ones never pass the maximum
    redemptions         int     NOT NULL DEFAULT 0 CHECK (redemptions >= 0),
    redeem_by           timestamptz,
    reason              text    NOT NULL CHECK (length(reason) > 0),
    actor_type          text    NOT NULL,
    actor_id            text,
    created_at          timestamptz NOT NULL,
    active              boolean NOT NULL DEFAULT true,
    deactivated_at      timestamptz,
    -- the coupon at Stripe (ss_coupon_<id>), once mirrored for a Checkout or a Subscription
    stripe_coupon_id    text,
    CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
    CHECK ((amount_off IS NULL) = (currency IS NULL)),
    CHECK ((duration = 'repeating') = (duration_in_periods IS NOT NULL)),
    CHECK (max_redemptions IS NULL OR redemptions <= max_redemptions),
    CHECK (cardinality(applies_plans) > 0 OR cardinality(applies_meters) > 0 OR applies_store),
    CHECK (active = (deactivated_at IS NULL))
);

-- A coupon's codes, stored upper case (a customer's typing is matched case-insensitively), each
-- the code of one coupon; its promotion code at Stripe once mirrored.
CREATE TABLE billing_promotion_codes (
    code                     text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{3,40}$'),
    coupon_id                text COLLATE "C" NOT NULL REFERENCES billing_coupons (id),
    stripe_promotion_code_id text
);
CREATE INDEX billing_promotion_codes_coupon ON billing_promotion_codes (coupon_id);

-- One organization's redemption of a coupon, by one of its codes: once per coupon and
-- organization. via: redeem (POST /redeem) or checkout (a plan Checkout's completion).
CREATE TABLE billing_coupon_redemptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    coupon_id        text COLLATE "C" NOT NULL REFERENCES billing_coupons (id),
    code             text COLLATE "C" NOT NULL REFERENCES billing_promotion_codes (code),
    org_id           text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    redeemed_at      timestamptz NOT NULL,
    via              text        NOT NULL CHECK (via IN ('redeem', 'checkout')),
    checkout_session text,
    discount_from    timestamptz NOT NULL,
    discount_until   timestamptz,
    actor_type       text        NOT NULL,
    actor_id         text,
    UNIQUE (coupon_id, org_id),
    CHECK (discount_until IS NULL OR discount_until > discount_from),
    CHECK ((via = 'checkout') = (checkout_session IS NOT NULL))
);
-- what covers an invoice, the organization's active discount
CREATE INDEX billing_coupon_redemptions_org ON billing_coupon_redemptions (org_id, discount_from);

-- A discount is a line of its own after the charges, before tax and credits: one per line it
-- takes something off (discounts_line), negative, naming its redemption.
ALTER TABLE billing_invoice_lines
    ADD COLUMN discounts_line int,
    ADD COLUMN redemption_id  bigint REFERENCES billing_coupon_redemptions (id);
ALTER TABLE billing_invoice_lines ADD CONSTRAINT billing_invoice_lines_discounted
    FOREIGN KEY (invoice_id, discounts_line) REFERENCES billing_invoice_lines (invoice_id, line_no);
-- the kinds' constraint rebuilt from the one in place, whatever kinds other migrations added to
-- it, with discount allowed too
DO $$
DECLARE
    kinds text;
BEGIN
    SELECT pg_get_constraintdef(c.oid) INTO kinds FROM pg_constraint c
    WHERE c.conrelid = 'billing_invoice_lines'::regclass
      AND c.conname = 'billing_invoice_lines_kind_check';
    EXECUTE 'ALTER TABLE billing_invoice_lines DROP CONSTRAINT billing_invoice_lines_kind_check';
    -- kinds is CHECK (<expression>): the expression, or kind discount
    EXECUTE 'ALTER TABLE billing_invoice_lines ADD CONSTRAINT billing_invoice_lines_kind_check'
        || ' CHECK (kind = ''discount'' OR ' || substr(kinds, 7) || ')';
END $$;
ALTER TABLE billing_invoice_lines ADD CONSTRAINT billing_invoice_lines_discount_check
    CHECK ((kind = 'discount') = (discounts_line IS NOT NULL AND redemption_id IS NOT NULL)
           AND (kind <> 'discount' OR amount < 0));
-- A team invoice's breakdown by member (V26): a discount line is the organization's, its part
-- negative as the line is; a member's part is never negative.
ALTER TABLE billing_invoice_member_amounts
    DROP CONSTRAINT billing_invoice_member_amounts_amount_check;
ALTER TABLE billing_invoice_member_amounts ADD CONSTRAINT billing_invoice_member_amounts_amount_check
    CHECK (amount >= 0 OR user_id IS NULL);

-- a coupon's report reads what its redemptions took off
CREATE INDEX billing_invoice_lines_redemption ON billing_invoice_lines (redemption_id)
    WHERE redemption_id IS NOT NULL;

-- The revenue figures' lines (V40, V65) count a discount line under the line it discounts: a
-- plan fee's discount takes off that plan's revenue, a usage line's that resource's. It adds no
-- line of its own to their count. The same statements otherwise.
CREATE OR REPLACE FUNCTION billing_revenue_statements() RETURNS text[]
    LANGUAGE sql IMMUTABLE AS
$f$
SELECT ARRAY[
    $q$
    INSERT INTO billing_revenue_periods AS r (period_start, currency, invoiced, paid, invoices)
    SELECT period_start, currency, sum(sign * total),
           coalesce(sum(sign * total) FILTER (WHERE status = 'paid'), 0), sum(sign)
    FROM %1$s c WHERE NOT lines_only
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (period_start, currency) DO UPDATE
        SET invoiced = r.invoiced + excluded.invoiced, paid = r.paid + excluded.paid,
            invoices = r.invoices + excluded.invoices
    $q$,
    -- each invoice's lines read by its key (OFFSET 0: a lookup, not every line hashed), a
    -- discount's by the line it discounts, the plan of a plan fee as the dashboard judged it per
    -- request before V40
    $q$
    INSERT INTO billing_revenue_lines AS r (period_start, currency, plan_fee, billed, amount,
                                            lines)
    SELECT c.period_start, c.currency, l.billed_kind = 'plan_fee',
           coalesce(CASE l.billed_kind WHEN 'plan_fee' THEN t.plan_id WHEN 'pack' THEN 'packs'
                                       ELSE l.billed_resource END, ''),
           sum(c.sign * l.amount),
           sum(CASE WHEN l.kind = 'discount' THEN 0 ELSE c.sign END)
    FROM %1$s c
    CROSS JOIN LATERAL (
        SELECT l.kind, l.amount, coalesce(d.kind, l.kind) AS billed_kind,
               coalesce(d.resource_type, l.resource_type) AS billed_resource,
               coalesce(d.period_start, l.period_start) AS billed_from
        FROM billing_invoice_lines l
        LEFT JOIN billing_invoice_lines d
          ON d.invoice_id = l.invoice_id AND d.line_no = l.discounts_line
        WHERE l.invoice_id = c.id AND (c.line_no IS NULL OR l.line_no = c.line_no)
        OFFSET 0) l
    LEFT JOIN LATERAL (
        SELECT s.plan_id FROM billing_subscriptions s
        WHERE l.billed_kind = 'plan_fee' AND s.user_id = c.user_id
          AND s.started_at <= l.billed_from
        ORDER BY s.started_at DESC, s.id DESC LIMIT 1) t ON true
    WHERE l.kind NOT IN ('credit', 'prepaid')
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (period_start, currency, plan_fee, billed) DO UPDATE
        SET amount = r.amount + excluded.amount, lines = r.lines + excluded.lines
    $q$,
    $q$
    INSERT INTO billing_revenue_outstanding AS r (currency, sent_total, sent_count,
                                                  overdue_total, overdue_count)
    SELECT currency,
           coalesce(sum(sign * total) FILTER (WHERE status = 'sent'), 0),
           coalesce(sum(sign) FILTER (WHERE status = 'sent'), 0),
           coalesce(sum(sign * total) FILTER (WHERE status = 'overdue'), 0),
           coalesce(sum(sign) FILTER (WHERE status = 'overdue'), 0)
    FROM %1$s c WHERE status IN ('sent', 'overdue') AND NOT lines_only
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (currency) DO UPDATE
        SET sent_total = r.sent_total + excluded.sent_total,
            sent_count = r.sent_count + excluded.sent_count,
            overdue_total = r.overdue_total + excluded.overdue_total,
            overdue_count = r.overdue_count + excluded.overdue_count
    $q$]
$f$;
