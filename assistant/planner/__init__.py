"""The planning cascade: templates (tier 0), the default model (tier 1), a larger model
(tier 2); normalization of slot text into values; bounded repairs from verifier feedback."""
