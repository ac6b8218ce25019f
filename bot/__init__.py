"""pide-ayuda: a Discord assistant over the SomosNLP #Somos600M keynotes."""

__version__ = "0.1.0"
