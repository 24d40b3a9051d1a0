-- How an org's sessions get their proxy number: 'sticky-local' (the recipient's last number with the org, else one
-- of their area code / country) or 'least-used'.
ALTER TABLE orgs ADD COLUMN number_selection text NOT NULL DEFAULT 'sticky-local';
