namespace RobustnessLab;
