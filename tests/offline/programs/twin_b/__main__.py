"""Imports a module whose name the other twin program uses too."""

import os

import pulumi

import naming

pulumi.CustomResource("test:index:Thing", f"{naming.PREFIX}-thing", {"cwd": os.path.basename(os.getcwd())})
