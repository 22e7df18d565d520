"""Risk prevention and control: configurable rules, per-declaration assessments with explanations,
alerts and their disposal by officials, and the random selection for inspection."""
