"""Static analysis of a module: where IDG is built, flowed and trained on."""
