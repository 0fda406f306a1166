"""Real datasets shipped with robustad; see DATA.md here for sources, licenses and preparation."""
