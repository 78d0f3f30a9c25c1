from django.db import models


class Entry(models.Model):
    note = models.CharField(max_length=100)
