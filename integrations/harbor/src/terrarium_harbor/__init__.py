"""Terrarium's Harbor environment provider: Harbor's runner runs a task in the Terrarium simulator it names.

Example::

    harbor run -p my-task -a oracle -e terrarium_harbor:TerrariumEnvironment --ek url=http://127.0.0.1:7350
"""

from .definition import DEFINITION_NAME, TerrariumDefinition, load_definition
from .environment import TerrariumEnvironment, TerrariumOptions

__all__ = ["DEFINITION_NAME", "TerrariumDefinition", "TerrariumEnvironment", "TerrariumOptions", "load_definition"]
