"""§7.9 Parameter tying and parameter sharing."""
