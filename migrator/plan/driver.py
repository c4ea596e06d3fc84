"""The planner's driver: paired image/mask generators (plan/paired.py), every other
generator site of the module (plan/site.py), then the
module-wide rules that apply with or without IDG: MA004 (plan/generator_methods.py) and
MA006 (plan/keras2_imports.py, which reads which constructions the rewrites removed).

A new shape of use is planned inside plan/site.py's rewrite (see docs/architecture.md); a
new module-wide rule is one more planner called here.
"""

from __future__ import annotations

from migrator.plan.edits import Edits
from migrator.plan.generator_methods import plan_generator_methods
from migrator.plan.keras2_imports import plan_keras2_imports
from migrator.plan.paired import plan_pairs
from migrator.plan.session import Session
from migrator.plan.site import plan_site


def plan_module(session: Session) -> Edits:
    sites = session.finder.find()
    # Paired image/mask generators first: a pair is planned as one (plan/paired.py).
    edits, paired = plan_pairs(session, sites)
    for site in sites:
        if id(site) in paired:
            continue
        planned = plan_site(session, site)
        if planned:  # the emitted pipeline uses `tf`
            session.rewritten.add(site.construction)
            session.needs_tf = True
        edits.merge(planned)
    edits.merge(plan_generator_methods(session))
    edits.merge(plan_keras2_imports(session))
    return edits
