-- The Stripe customer of each billing account, created once (StripeCustomers): the account's
-- cards and payments live in Stripe under this id; no card data is stored here.
CREATE TABLE billing_stripe_customers (
    account_id  text COLLATE "C" PRIMARY KEY REFERENCES billing_accounts (user_id),
    customer_id text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL
);
