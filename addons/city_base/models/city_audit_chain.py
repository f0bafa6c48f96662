from odoo import fields, models


class CityAuditChain(models.Model):
    """Head of one hash chain of the audit log: the last sequence and hash written.

    Writers lock this row (SELECT ... FOR UPDATE), so concurrent writers of one chain are
    serialised; under Odoo's repeatable-read transactions the loser gets a serialisation
    failure and its request is retried. Comparing the head with the last entry also detects
    entries removed from the end of the chain.
    """

    _name = "city.audit.chain"
    _description = "Audit Chain Head"
    _order = "name"

    name = fields.Char(required=True, readonly=True, index=True)
    last_sequence = fields.Integer(readonly=True)
    last_hash = fields.Char(readonly=True)
    entry_count = fields.Integer(compute="_compute_entry_count")

    _sql_constraints = [("name_unique", "unique(name)", "An audit chain name must be unique.")]

    def _compute_entry_count(self):
        counts = dict(
            self.env["city.audit.log"]._read_group([("chain", "in", self.mapped("name"))], ["chain"], ["__count"])
        )
        for chain in self:
            chain.entry_count = counts.get(chain.name, 0)

    def action_verify(self):
        return self.env["city.audit.log"].action_verify(chains=self.mapped("name"))
