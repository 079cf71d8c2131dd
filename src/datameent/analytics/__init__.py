"""Analytics as a library: synthetic data now; pseudonymisation, linkage, disclosure control,
effects and fairness later. Never imports `datameent.web` or `datameent.store`."""

from datameent.analytics.synth import Municipality, SynthPerson, SynthStaff, generate

__all__ = ["Municipality", "SynthPerson", "SynthStaff", "generate"]
