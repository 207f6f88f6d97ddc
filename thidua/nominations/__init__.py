"""Nomination upward ("trình lên cấp trên"): a lower level's best initiatives proposed to the campaign above."""
