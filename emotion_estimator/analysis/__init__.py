# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Offline analysis: run the on-robot estimator over a recording and summarise the emotions.

``sources`` turns a video, a folder of frames or a ROS 2 bag into timed BGR frames, ``report``
holds the metric definitions as pure functions (of the main face and of each face), ``output``
writes the tables, charts and the HTML report, and ``cli`` is the ``emotion-estimator analyze``
sub-command. ``corpus`` runs that analysis over every recording under folders on Ray
(``analyze-corpus``), with ``corpus_inputs`` finding the recordings and ``corpus_table`` writing
the corpus table and page.
"""
