-- A team organization's invoice, broken down by member: each charge line's parts, stored when
-- the invoice is finalized from the very records it claimed, so that later membership changes
-- (or anything else) never rewrite a finalized invoice. user_id is the member whose sessions
-- or reports made the part; null is the organization's part (plan fees, packs, storage, the
-- overage of a counter that is its largest report). A personal organization's invoice has no
-- rows: its one member is the account. Credit lines have no parts: the breakdown is of the
-- subtotal, before credits (which apply to the invoice as a whole).
CREATE TABLE billing_invoice_member_amounts (
    invoice_id bigint  NOT NULL,
    line_no    int     NOT NULL,
    user_id    text COLLATE "C",
    quantity   numeric,              -- the member's part of the line's quantity, in its unit
    amount     numeric NOT NULL CHECK (amount >= 0), -- at the currency's minor unit
    FOREIGN KEY (invoice_id, line_no) REFERENCES billing_invoice_lines (invoice_id, line_no),
    -- one part per member of a line, and one organization part
    UNIQUE NULLS NOT DISTINCT (invoice_id, line_no, user_id)
);

-- Every cent traceable: a line's parts add up to its amount exactly. Checked when the
-- transaction commits, once all its parts are stored.
CREATE FUNCTION billing_require_parts_add_up() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT amount FROM billing_invoice_lines
        WHERE invoice_id = NEW.invoice_id AND line_no = NEW.line_no)
       <> (SELECT sum(amount) FROM billing_invoice_member_amounts
           WHERE invoice_id = NEW.invoice_id AND line_no = NEW.line_no) THEN
        RAISE EXCEPTION 'the parts of line % of invoice % do not add up to it',
            NEW.line_no, NEW.invoice_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER billing_invoice_member_amounts_add_up
    AFTER INSERT OR UPDATE ON billing_invoice_member_amounts DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION billing_require_parts_add_up();
