#!/usr/bin/env node
// Entry point installed as `firelab`: runs the compiled CLI.
import '../dist/cli/main.js';
