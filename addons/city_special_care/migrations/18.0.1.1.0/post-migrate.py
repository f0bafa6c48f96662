"""Family acknowledgements are recorded beside the desk's steps from 18.0.1.1.0 on.

Alarms a family member acknowledged before kept the desk's acknowledgement time as theirs: give
them their family acknowledgement time. (Their state and statistics stay as they were.)
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE city_care_alarm SET family_ack_at = ack_at
            WHERE ack_partner_id IS NOT NULL AND family_ack_at IS NULL"""
    )
